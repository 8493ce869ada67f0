// The generator of the chain-scale seed, for tests that need a database of some size.
export { addVolume, type Volume } from '../../prisma/seed/chain';
