/** Redis keys of one coupon template: one hash tag, so one slot of a Redis Cluster. */
export const couponKeys = (templateId: string) => {
  const tag = `coupon:{tpl:${templateId}}`;
  return {
    meta: `${tag}:meta`, stock: `${tag}:stock`, users: `${tag}:users`, stream: `${tag}:claims`, rebuild: `${tag}:rebuild`,
    // Claim rate limits count per template, so they share its slot and the claim script can check them.
    userLimit: (userId: string) => `${tag}:rl:user:${userId}`,
    addressLimit: (address: string) => `${tag}:rl:addr:${address}`,
  };
};

export const CONSUMER_GROUP = 'persist';
