import { PARAMETER_NAMES } from '../rule/parameters';

/** The `--help` text. */
export const USAGE = `Usage: cloudtrail-rule <command> [options]

Checks AWS Security Hub control CloudTrail.1 (CIS AWS Foundations 3.1) with the
AWS Config rule's own code: at least one multi-Region trail that is logging and
records read and write management events from every event source.

Commands:
  evaluate                 Evaluate the live account (default credential chain).
  evaluate --snapshot FILE Evaluate a saved snapshot instead; needs no AWS account.
  snapshot                 Read the live account fully and write its trail state (JSON).
  examples [DIR]           Evaluate every *.json snapshot in DIR (default: the project's examples/).

Options:
  --snapshot FILE          evaluate: the snapshot to evaluate.
  --region REGION          evaluate, snapshot: the Region to list trails from
                           (default: AWS_REGION or the profile's region).
  --profile NAME           evaluate, snapshot: a profile from the shared AWS config files.
  --out FILE               snapshot: write to FILE instead of stdout.
  --param NAME=VALUE       evaluate, examples: a rule parameter, repeatable. Names:
                           ${PARAMETER_NAMES.join(', ')}.
  --json                   evaluate, examples: print JSON for machines.
  --verbose                Show the rule's structured logs.
  -h, --help               Show this help.

Exit status: 0 COMPLIANT, 1 NON_COMPLIANT, 2 error (bad input, unreadable snapshot,
AWS failure, or an UNDECIDED verdict). examples exits 0 unless a file cannot be read.

Examples:
  cloudtrail-rule evaluate --region us-east-1
  cloudtrail-rule evaluate --snapshot examples/write-only-trail.json --json
  cloudtrail-rule snapshot --profile audit --out state.json
  cloudtrail-rule evaluate --snapshot state.json --param readWriteType=WriteOnly
`;
