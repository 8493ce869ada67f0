import { encryptPhone, decryptPhone, hashPhone, maskPhone } from './phone';

const keys = { phoneKeyHex: 'ab'.repeat(32), phoneHashKeyHex: 'cd'.repeat(32) };

describe('phone numbers at rest', () => {
  it('when a number is encrypted twice, then the ciphertexts differ and both decrypt to it', () => {
    const a = encryptPhone(keys, '13812341234');
    const b = encryptPhone(keys, '13812341234');
    expect(a.equals(b)).toBe(false);
    expect(a.toString('utf8')).not.toContain('1381234');
    expect(decryptPhone(keys, a)).toBe('13812341234');
  });
  it('when hashed with the key, then equal numbers match and the hash hides the number', () => {
    expect(hashPhone(keys, '13812341234')).toBe(hashPhone(keys, '13812341234'));
    expect(hashPhone(keys, '13812341234')).not.toBe(hashPhone({ ...keys, phoneHashKeyHex: 'ef'.repeat(32) }, '13812341234'));
  });
  it('when shown, then the middle four digits are masked', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
  });
  it('when the ciphertext is tampered with, then decryption fails', () => {
    const blob = encryptPhone(keys, '13812341234');
    blob[blob.length - 1] ^= 1;
    expect(() => decryptPhone(keys, blob)).toThrow();
  });
});
