import type { PrismaClient } from '../../lib/db';
import { newId } from '../../lib/ids';

/** Finds the user of a WeChat openid, creating a villager on first login. */
export async function findOrCreateUserByOpenid(prisma: PrismaClient, openid: string): Promise<{ id: string }> {
  const existing = await prisma.user.findUnique({ where: { openid }, select: { id: true } });
  if (existing) return existing;
  const id = newId();
  try {
    return await prisma.user.create({ data: { id, openid, nickname: `微信用户${id.slice(-4)}` }, select: { id: true } });
  } catch (err) {
    // Two first logins at the same moment: the unique openid lets one insert win.
    if ((err as { code?: string }).code === 'P2002') {
      const user = await prisma.user.findUnique({ where: { openid }, select: { id: true } });
      if (user) return user;
    }
    throw err;
  }
}

/** PIPL: the account is anonymised, not removed, so its orders stay for the stores' books. */
export async function anonymiseUser(prisma: PrismaClient, userId: string): Promise<void> {
  await prisma.$transaction([
    prisma.user.update({
      where: { id: userId },
      data: { openid: null, nickname: '已注销用户', phoneEnc: null, phoneHash: null, deletedAt: new Date() },
    }),
    prisma.userRole.deleteMany({ where: { userId } }),
    prisma.storeOwner.deleteMany({ where: { userId } }),
  ]);
}
