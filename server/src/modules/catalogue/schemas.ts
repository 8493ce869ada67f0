import { z, q, ListQuery } from '../../lib/http';
import { CATEGORY_IDS } from './categories';

export const Category = z.enum(CATEGORY_IDS);

export const ProductsQuery = ListQuery.extend({
  category: Category.optional(),
  brand: q.str(1, 40).optional(),
  q: q.str(1, 64).optional(),
  tag: z.enum(['new_season']).optional(),
}).strict();

export const Product = z
  .object({ id: z.string(), name: z.string(), brand: z.string(), category: Category, priceFen: z.number().int(), imageUrl: z.string(), tags: z.array(z.string()), description: z.string() })
  .openapi('Product');

export const ProductDetail = Product.extend({
  skus: z.array(z.object({ id: z.string(), spec: z.string(), priceFen: z.number().int(), available: z.number().int() })),
}).openapi('ProductDetail');

export const ProductList = z.object({ items: z.array(Product), nextCursor: z.string().nullable() }).openapi('ProductList');

export const IdParams = z.object({ id: z.string().min(1).max(40) }).strict();
