import { defineConfig } from 'prisma/config';

// Prisma 7 keeps the URL out of the schema. The schema is a folder: one file per capability.
export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/xinghuo' },
});
