import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partition } from '@aws-sdk/core/client';
import {
  closestRegion,
  knownRegions,
  readPartitions,
  unknownRegionReason,
} from '../../../remediation/regions';
import { packTargetArgs } from '../../../scripts/conformance-pack';
import { parseRolloutOptions } from '../../../stack/rollout-options';

/*
 * Region names are checked against the partition data the AWS SDK ships
 * (the data its endpoint resolver uses), so a typo is refused where it is
 * typed, with the closest Region, instead of failing at deploy time.
 */

describe('the Regions the AWS SDK knows', () => {
  it('are read from the SDK: every one of them resolves, through the SDK, to its partition and description', () => {
    const regions = knownRegions();

    expect(regions).not.toBeNull();
    for (const region of regions?.values() ?? []) {
      // `partition` is the SDK's own lookup: a Region it lists comes back with its description.
      const resolved: { name: string; description?: string } = partition(region.name);
      expect({
        name: region.name,
        partition: resolved.name,
        description: resolved.description,
      }).toEqual({
        name: region.name,
        partition: region.partition,
        description: region.description,
      });
    }
    expect([...(regions?.keys() ?? [])]).toEqual(
      expect.arrayContaining(['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1']),
    );
  });

  it('leave out the partitions’ pseudo-Regions, where no resource lives', () => {
    expect(knownRegions()?.has('aws-global')).toBe(false);
    expect(unknownRegionReason('aws-global')).toBeDefined();
  });

  it('are read from any file of the same shape, and a file of another shape gives none', () => {
    const directory = mkdtempSync(join(tmpdir(), 'partitions-'));
    const good = join(directory, 'good.js');
    writeFileSync(
      good,
      'export const partitionsInfo = {"partitions":[{"id":"aws","regionRegex":"^(us|eu)\\\\-\\\\w+\\\\-\\\\d+$","regions":{"aws-global":{"description":"global"},"xx-test-1":{},"us-test-1":{"description":"US Test"}}}],"version":"1.1"};\n',
    );
    const bad = join(directory, 'bad.js');
    writeFileSync(bad, 'export const partitionsInfo = computeThem();\n');

    expect([...(readPartitions(good)?.values() ?? [])]).toEqual([
      { name: 'us-test-1', partition: 'aws', description: 'US Test' },
    ]);
    expect(readPartitions(bad)).toBeNull();
    expect(readPartitions(join(directory, 'absent.js'))).toBeNull();
    // Without data, no name is refused: the SDK's own error says what is wrong.
    expect(unknownRegionReason('us-est-1', null)).toBeUndefined();
  });
});

describe('a Region name that is not one', () => {
  it.each([
    ['us-est-1', 'us-east-1'],
    ['eu-west-9', 'eu-west-1'],
    ['cn-nort-1', 'cn-north-1'],
    ['EU-WEST-1', 'eu-west-1'],
    ['us-gov-wst-1', 'us-gov-west-1'],
  ])('%s is refused with the closest Region, %s', (typed, meant) => {
    expect(unknownRegionReason(typed)).toBe(
      `is not an AWS Region the AWS SDK knows: did you mean ${meant}?`,
    );
  });

  it('gets examples instead of a suggestion when no Region is near', () => {
    expect(closestRegion('Europe', ['eu-west-1', 'us-east-1'])).toBeUndefined();
    expect(unknownRegionReason('Europe')).toBe(
      'is not an AWS Region the AWS SDK knows: give a Region code such as us-east-1 or eu-west-1',
    );
  });

  it('passes every Region the SDK knows', () => {
    for (const name of knownRegions()?.keys() ?? [])
      expect(unknownRegionReason(name)).toBeUndefined();
  });
});

describe('Region names where they are given', () => {
  it('-c regions refuses an unknown Region with the closest one, naming the option and the item', () => {
    expect(() =>
      parseRolloutOptions(
        (name) => (name === 'regions' ? 'eu-west-1,us-est-1' : undefined),
        'cloudtrail-1-multi-region-trail',
        ['regions'],
      ),
    ).toThrow(
      'Context option regions has the item "us-est-1", which is not an AWS Region the AWS SDK knows: did you mean us-east-1?',
    );
  });

  it('-c regions takes Regions the SDK knows', () => {
    expect(
      parseRolloutOptions(
        (name) => (name === 'regions' ? 'eu-west-1,us-east-1' : undefined),
        'cloudtrail-1-multi-region-trail',
        ['regions'],
      ).regions,
    ).toEqual(['eu-west-1', 'us-east-1']);
  });

  it("the pack's --region refuses an unknown Region with the closest one", () => {
    expect(packTargetArgs(['--account', '111122223333', '--region', 'eu-west-9'])).toEqual({
      problems: [
        '--region "eu-west-9" is not an AWS Region the AWS SDK knows: did you mean eu-west-1?',
      ],
    });
  });

  it("the pack's --region gives one message for a name that is not even shaped like a Region", () => {
    expect(packTargetArgs(['--account', '111122223333', '--region', 'Ireland'])).toEqual({
      problems: ['--region "Ireland" is not an AWS Region name: give one like --region eu-west-1.'],
    });
  });
});
