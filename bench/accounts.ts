import type { GetEventSelectorsResponse, Trail } from '@aws-sdk/client-cloudtrail';
import { trail as describedTrail } from '../test/support/fixtures';

/**
 * The accounts the benchmark evaluates: what `DescribeTrails` lists from the
 * function's Region, and what the `Get*` calls answer for each trail.
 *
 * CloudTrail allows 5 trails per Region per account (a multi-Region trail
 * counts in every Region) and lists a single-Region trail only in its home
 * Region, so the 20- and 85-trail accounts are larger than a real listing can
 * be: they are stress cases. Only multi-Region trails can pass CloudTrail.1,
 * so with the default parameters they are the only trails the rule inspects.
 */

export const ACCOUNT_ID = '111122223333';
export const MANAGEMENT_ACCOUNT_ID = '999988887777';
/** The Region the rule runs in and lists trails from. */
export const LISTING_REGION = 'us-east-1';

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'sa-east-1',
];

export interface BenchTrail {
  trail: Trail & { Name: string; TrailARN: string; HomeRegion: string };
  isLogging: boolean;
  /** The selectors, or the error `GetEventSelectors` raises for this account. */
  eventSelectors: GetEventSelectorsResponse | { error: string };
}

export interface BenchAccount {
  label: string;
  trails: BenchTrail[];
  expected: 'COMPLIANT' | 'NON_COMPLIANT';
}

type Selectors = 'all' | 'split' | 'no-kms' | 'read-only';

const SELECTORS: Record<Selectors, GetEventSelectorsResponse> = {
  all: {
    EventSelectors: [
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ],
  },
  split: {
    EventSelectors: [
      { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [] },
      {
        ReadWriteType: 'WriteOnly',
        IncludeManagementEvents: true,
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
      },
    ],
  },
  'no-kms': {
    AdvancedEventSelectors: [
      {
        Name: 'Management events without KMS',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
        ],
      },
    ],
  },
  'read-only': {
    AdvancedEventSelectors: [
      {
        Name: 'Read-only management events',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['true'] },
        ],
      },
    ],
  },
};

function trail(
  name: string,
  homeRegion: string,
  options: { multiRegion: boolean; owner?: string; logging?: boolean; selectors?: Selectors },
): BenchTrail {
  const owner = options.owner ?? ACCOUNT_ID;
  return {
    trail: describedTrail(
      {
        Name: name,
        HomeRegion: homeRegion,
        IsMultiRegionTrail: options.multiRegion,
        IncludeGlobalServiceEvents: options.multiRegion,
        HasCustomEventSelectors: true,
      },
      owner,
    ),
    isLogging: options.logging ?? true,
    eventSelectors:
      owner === ACCOUNT_ID
        ? SELECTORS[options.selectors ?? 'all']
        : // A member account may not read its organization trail's selectors.
          { error: 'AccessDeniedException' },
  };
}

const multi = (name: string, home: string, selectors: Selectors = 'all', logging = true) =>
  trail(name, home, { multiRegion: true, selectors, logging });
const organization = (name: string, home: string) =>
  trail(name, home, { multiRegion: true, owner: MANAGEMENT_ACCOUNT_ID });

/** `count` single-Region trails spread over the Regions, half of them logging. */
function singles(count: number, prefix: string): BenchTrail[] {
  return Array.from({ length: count }, (_, i) =>
    trail(`${prefix}-${i + 1}`, REGIONS[i % REGIONS.length] ?? LISTING_REGION, {
      multiRegion: false,
      logging: i % 2 === 0,
    }),
  );
}

export const ACCOUNTS: BenchAccount[] = [
  {
    label: '1 trail: one multi-Region trail homed here, passing',
    trails: [multi('management-events', LISTING_REGION)],
    expected: 'COMPLIANT',
  },
  {
    label:
      '5 trails: 2 multi-Region (1 homed here without KMS events, 1 shadow from eu-west-1 stopped), 3 single-Region here; none passes',
    trails: [
      multi('security-audit', LISTING_REGION, 'no-kms'),
      multi('baseline', 'eu-west-1', 'all', false),
      ...Array.from({ length: 3 }, (_, i) =>
        trail(`app-${i + 1}`, LISTING_REGION, { multiRegion: false }),
      ),
    ],
    expected: 'NON_COMPLIANT',
  },
  {
    label:
      '20 trails: 3 multi-Region (1 homed here read-only, 1 shadow from ap-southeast-2 stopped, 1 organization trail from eu-central-1, trusted), 17 single-Region in 16 Regions',
    trails: [
      multi('read-only-audit', LISTING_REGION, 'read-only'),
      multi('apac-audit', 'ap-southeast-2', 'all', false),
      organization('org-trail', 'eu-central-1'),
      ...singles(17, 'regional'),
    ],
    expected: 'COMPLIANT',
  },
  {
    label:
      '85 trails: 5 multi-Region (2 homed here: split read/write passing, no-KMS failing; shadows from eu-west-1 stopped and ap-northeast-1 passing; 1 organization trail), 80 single-Region in 16 Regions',
    trails: [
      multi('split-selectors', LISTING_REGION, 'split'),
      multi('security-audit', LISTING_REGION, 'no-kms'),
      multi('eu-audit', 'eu-west-1', 'all', false),
      multi('tokyo-audit', 'ap-northeast-1'),
      organization('org-trail', 'eu-central-1'),
      ...singles(80, 'regional'),
    ],
    expected: 'COMPLIANT',
  },
  {
    label:
      'extra, beyond one wave — 85 trails: 8 multi-Region (the 5 above plus 3 shadows from us-west-2, eu-north-1, sa-east-1), 77 single-Region',
    trails: [
      multi('split-selectors', LISTING_REGION, 'split'),
      multi('security-audit', LISTING_REGION, 'no-kms'),
      multi('eu-audit', 'eu-west-1', 'all', false),
      multi('tokyo-audit', 'ap-northeast-1'),
      organization('org-trail', 'eu-central-1'),
      multi('oregon-audit', 'us-west-2', 'read-only'),
      multi('stockholm-audit', 'eu-north-1'),
      multi('sao-paulo-audit', 'sa-east-1', 'all', false),
      ...singles(77, 'regional'),
    ],
    expected: 'COMPLIANT',
  },
];
