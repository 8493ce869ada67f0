import type { Module } from '../index';
import { API_BASE, ListQuery, defineRoute, listOf, pageInMemory, z } from '../../lib/http';
import { notFound } from '../../lib/errors';
import { getProduct, listBrands, listProducts, type ProductRow } from './repository';
import { IdParams, ProductDetail, ProductList, ProductsQuery, Category } from './schemas';
import { categoryImage } from './images';
import { CATEGORIES, type Category as CategoryId } from './categories';

const toProduct = (p: ProductRow) => ({ ...p, category: p.category as CategoryId, tags: p.tags ? p.tags.split(',') : [] });

export const catalogueModule: Module = {
  name: 'catalogue',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/products',
      summary: 'Products by category, brand, text or tag (new_season: the Super New Product Season)',
      tags: ['catalogue'],
      access: 'public',
      query: ProductsQuery,
      response: ProductList,
      handler: async ({ query }) => {
        const limit = Math.min(query.limit ?? 20, 50);
        const rows = await listProducts(deps.db, { ...query, limit });
        const page = rows.slice(0, limit);
        return { items: page.map(toProduct), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
      },
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/products/:id',
      summary: 'A product with its SKUs',
      tags: ['catalogue'],
      access: 'public',
      params: IdParams,
      response: ProductDetail,
      handler: async ({ params }) => {
        const p = await getProduct(deps.db, params.id);
        if (!p) throw notFound('商品不存在');
        return { ...toProduct(p), skus: p.skus };
      },
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/categories',
      summary: 'Categories with their Chinese names and the brands that have products in them',
      tags: ['catalogue'],
      access: 'public',
      query: ListQuery.extend({ category: Category.optional() }).strict(),
      response: listOf(z.object({ id: Category, name: z.string() })).extend({ brands: z.array(z.string()) }),
      handler: async ({ query }) => ({
        ...pageInMemory(Object.entries(CATEGORIES).map(([id, name]) => ({ id, name })), query),
        brands: await listBrands(deps.db, query.category),
      }),
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/images/:name',
      summary: 'A product picture (SVG), served by the project itself',
      tags: ['catalogue'],
      access: 'public',
      params: z.object({ name: z.string().regex(/^[a-z_]+\.svg$/).max(40) }).strict(),
      content: { type: 'image/svg+xml', schema: z.string().describe('an SVG picture') },
      handler: ({ params, ctx }) => {
        const category = params.name.replace(/\.svg$/, '');
        if (!(category in CATEGORIES)) throw notFound('图片不存在');
        ctx.type = 'image/svg+xml';
        ctx.set('Cache-Control', 'public, max-age=86400');
        return categoryImage(category as CategoryId);
      },
    });
  },
};
