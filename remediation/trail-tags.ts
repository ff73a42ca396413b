import { type CloudTrailClient, ListTagsCommand } from '@aws-sdk/client-cloudtrail';

/** A trail's tags (`ListTags`, in the trail's home Region), for the CloudTrail.9 forecast. */
export async function readTrailTags(
  trailArn: string,
  cloudTrail: (region: string) => CloudTrailClient,
): Promise<Record<string, string>> {
  const region = trailArn.split(':')[3] ?? '';
  const reply = await cloudTrail(region).send(new ListTagsCommand({ ResourceIdList: [trailArn] }));
  const list = reply.ResourceTagList?.find((r) => r.ResourceId === trailArn)?.TagsList ?? [];
  return Object.fromEntries(list.map((t) => [t.Key ?? '', t.Value ?? '']));
}
