import { allOf, type Db } from '../../lib/db';
import { escapeLike } from '../regions/names';
import type { PoolConnection } from 'mysql2/promise';

export type SkuRow = { id: string; productId: string; category: string; priceFen: number; spec: string; productName: string; brand: string };

const SKU_SELECT = `SELECT s.id, s.product_id AS productId, p.category, s.price_fen AS priceFen, s.spec, p.name AS productName, p.brand
  FROM skus s JOIN products p ON p.id = s.product_id`;

export async function findSku(db: Db | PoolConnection, skuId: string): Promise<SkuRow | null> {
  const [rows] = await db.query(`${SKU_SELECT} WHERE s.id = ?`, [skuId]);
  return (rows as SkuRow[])[0] ?? null;
}

export async function findSkus(db: Db | PoolConnection, skuIds: string[]): Promise<Map<string, SkuRow>> {
  if (!skuIds.length) return new Map();
  const [rows] = await db.query(`${SKU_SELECT} WHERE s.id IN (?)`, [skuIds]);
  return new Map((rows as SkuRow[]).map((r) => [r.id, r]));
}

export type ProductFilter = { category?: string; brand?: string; q?: string; tag?: string; cursor?: string; limit: number };

export type ProductRow = { id: string; name: string; brand: string; category: string; priceFen: number; imageUrl: string; tags: string; description: string };

/** Products ordered by id; the cursor is the last id of the previous page. */
export async function listProducts(db: Db, f: ProductFilter): Promise<ProductRow[]> {
  const where = allOf([
    f.category && ['category = ?', f.category],
    f.brand && ['brand = ?', f.brand],
    // `%` and `_` typed by a villager (or a scraper) are letters, not wildcards.
    f.q && ['(name LIKE ? OR brand LIKE ?)', `%${escapeLike(f.q)}%`, `%${escapeLike(f.q)}%`],
    f.tag && ['FIND_IN_SET(?, tags) > 0', f.tag],
    f.cursor && ['id > ?', f.cursor],
  ]);
  const [rows] = await db.query(
    `SELECT id, name, brand, category, price_fen AS priceFen, image_url AS imageUrl, tags, description FROM products
     ${where.sql ? `WHERE ${where.sql}` : ''} ORDER BY id LIMIT ?`,
    [...where.values, f.limit + 1],
  );
  return rows as ProductRow[];
}

export async function getProduct(db: Db, id: string): Promise<(ProductRow & { skus: { id: string; spec: string; priceFen: number; available: number }[] }) | null> {
  const [rows] = await db.query(
    'SELECT id, name, brand, category, price_fen AS priceFen, image_url AS imageUrl, tags, description FROM products WHERE id = ?',
    [id],
  );
  const product = (rows as ProductRow[])[0];
  if (!product) return null;
  const [skus] = await db.query('SELECT id, spec, price_fen AS priceFen, available FROM skus WHERE product_id = ? ORDER BY price_fen, id', [id]);
  return { ...product, skus: skus as { id: string; spec: string; priceFen: number; available: number }[] };
}

export async function listBrands(db: Db, category?: string): Promise<string[]> {
  const [rows] = await db.query(`SELECT DISTINCT brand FROM products ${category ? 'WHERE category = ?' : ''} ORDER BY brand`, category ? [category] : []);
  return (rows as { brand: string }[]).map((r) => r.brand);
}
