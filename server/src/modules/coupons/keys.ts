/** Redis keys of one coupon template: one hash tag, so one slot of a Redis Cluster. */
export const couponKeys = (templateId: string) => {
  const tag = `coupon:{tpl:${templateId}}`;
  return { meta: `${tag}:meta`, stock: `${tag}:stock`, users: `${tag}:users`, stream: `${tag}:claims`, rebuild: `${tag}:rebuild` };
};

export const CONSUMER_GROUP = 'persist';
