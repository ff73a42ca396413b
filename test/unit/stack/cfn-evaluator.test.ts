// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are CloudFormation Fn::Sub variables.
import { deploy, PSEUDO, type Pseudo } from '../../support/cfn-evaluator';

/*
 * The model other tests use to compare templates by what they deploy. Each
 * test is one rule of how CloudFormation resolves a template, on a template
 * small enough to read at a glance.
 */

/** A template with one parameter `Env` declared as `spec`. */
const withEnv = (spec: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  Parameters: { Env: { Type: 'String', ...spec } },
  ...rest,
});

/** A template with one bucket whose properties are `properties`. */
const withBucket = (properties: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  ...rest,
  Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: properties } },
});

/** The deployed properties of the bucket. */
const bucketOf = (template: Record<string, unknown>, given?: Record<string, string>) =>
  deploy(template, given).resources.Bucket?.Properties;

/** The class name and message of the error `act` throws. */
function failure(act: () => unknown): { type: string; message: string } {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return { type: error.name, message: error.message };
  }
  throw new Error('expected an Error to be thrown');
}

const isProd = { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } };

describe('the CloudFormation model', () => {
  describe('parameters', () => {
    it('uses the Default when no value is given', () => {
      const template = withEnv({ Default: 'dev' });

      const deployed = deploy(template);

      expect(deployed.parameters).toEqual({ Env: 'dev' });
    });

    it('prefers a given value over the Default', () => {
      const template = withEnv({ Default: 'dev' });

      const deployed = deploy(template, { Env: 'prod' });

      expect(deployed.parameters).toEqual({ Env: 'prod' });
    });

    it('rejects a parameter with neither a given value nor a Default', () => {
      const template = withEnv({});

      const error = failure(() => deploy(template));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameter Env has no value',
      });
    });

    it('rejects a value for a parameter the template does not declare', () => {
      const template = withEnv({ Default: 'dev' });

      const error = failure(() => deploy(template, { Stage: 'prod' }));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameters: [Stage] do not exist in the template',
      });
    });

    it('rejects a value outside AllowedValues, quoting the ConstraintDescription', () => {
      const template = withEnv({
        AllowedValues: ['dev', 'prod'],
        ConstraintDescription: 'Env is dev or prod',
      });

      const error = failure(() => deploy(template, { Env: 'Prod' }));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameter Env must be one of AllowedValues: Env is dev or prod',
      });
    });

    it('matches an AllowedPattern written without ^ and $ against the whole value', () => {
      const template = withEnv({ AllowedPattern: '[a-z]+' });

      const error = failure(() => deploy(template, { Env: 'dev1' }));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameter Env must match pattern [a-z]+',
      });
    });

    it('rejects a Number parameter whose value is not a number', () => {
      const template = { Parameters: { Days: { Type: 'Number' } } };

      const error = failure(() => deploy(template, { Days: 'ten' }));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameter Days must be a number',
      });
    });

    it('rejects a Number above MaxValue', () => {
      const template = { Parameters: { Days: { Type: 'Number', MinValue: 1, MaxValue: 365 } } };

      const error = failure(() => deploy(template, { Days: '366' }));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameter Days is above MaxValue 365',
      });
    });

    it('rejects a value longer than MaxLength', () => {
      const template = withEnv({ MaxLength: 4 });

      const error = failure(() => deploy(template, { Env: 'staging' }));

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'Parameter Env is longer than MaxLength 4',
      });
    });

    it('turns a CommaDelimitedList into a list of trimmed strings', () => {
      const template = withBucket(
        { Regions: { Ref: 'Regions' } },
        { Parameters: { Regions: { Type: 'CommaDelimitedList' } } },
      );

      const properties = bucketOf(template, { Regions: 'us-east-1, eu-west-1' });

      expect(properties).toEqual({ Regions: ['us-east-1', 'eu-west-1'] });
    });

    it('refuses SSM parameter types, which it does not model', () => {
      const template = { Parameters: { Ami: { Type: 'AWS::SSM::Parameter::Value<String>' } } };

      const error = failure(() => deploy(template, { Ami: '/ami/latest' }));

      expect(error).toEqual({
        type: 'UnsupportedFeatureError',
        message:
          'Parameter Ami: type AWS::SSM::Parameter::Value<String> (an SSM parameter) is not ' +
          'supported by this model',
      });
    });
  });

  describe('conditions and rules', () => {
    it('evaluates Fn::Equals against a parameter value', () => {
      const template = withEnv({}, { Conditions: isProd });

      const deployed = deploy(template, { Env: 'prod' });

      expect(deployed.conditions).toEqual({ IsProd: true });
    });

    it('combines conditions with Fn::Not, Fn::And, Fn::Or and Condition references', () => {
      const template = withEnv(
        {},
        {
          Conditions: {
            ...isProd,
            InIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
            ProdInIreland: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'InIreland' }] },
            NotProdOrIreland: {
              'Fn::Or': [{ 'Fn::Not': [{ Condition: 'IsProd' }] }, { Condition: 'InIreland' }],
            },
          },
        },
      );
      const ireland: Pseudo = { ...PSEUDO, region: 'eu-west-1' };

      const deployed = deploy(template, { Env: 'dev' }, ireland);

      expect(deployed.conditions).toEqual({
        IsProd: false,
        InIreland: true,
        ProdInIreland: false,
        NotProdOrIreland: true,
      });
    });

    it('rejects the values with the AssertDescription when a rule assertion fails', () => {
      const template = withEnv(
        { Default: 'dev' },
        {
          Rules: {
            ProdOnlyInVirginia: {
              RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
              Assertions: [
                {
                  Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
                  AssertDescription: 'prod deploys only to us-east-1',
                },
              ],
            },
          },
        },
      );

      const error = failure(() =>
        deploy(template, { Env: 'prod' }, { ...PSEUDO, region: 'eu-west-1' }),
      );

      expect(error).toEqual({
        type: 'ParameterRejectedError',
        message: 'prod deploys only to us-east-1',
      });
    });

    it('skips a rule whose RuleCondition is false', () => {
      const template = withEnv(
        {},
        {
          Rules: {
            NeverProd: {
              RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
              Assertions: [{ Assert: { 'Fn::Equals': ['a', 'b'] }, AssertDescription: 'never' }],
            },
          },
        },
      );

      const deployed = deploy(template, { Env: 'dev' });

      expect(deployed.parameters).toEqual({ Env: 'dev' });
    });
  });

  describe('resources and outputs', () => {
    it('drops a resource whose Condition is false', () => {
      const template = withEnv(
        {},
        {
          Conditions: isProd,
          Resources: {
            Always: { Type: 'AWS::SNS::Topic' },
            ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' },
          },
        },
      );

      const deployed = deploy(template, { Env: 'dev' });

      expect(Object.keys(deployed.resources)).toEqual(['Always']);
    });

    it('resolves Refs to pseudo parameters from the deployment target', () => {
      const template = withBucket({
        Account: { Ref: 'AWS::AccountId' },
        Region: { Ref: 'AWS::Region' },
        Partition: { Ref: 'AWS::Partition' },
        Suffix: { Ref: 'AWS::URLSuffix' },
        Stack: { Ref: 'AWS::StackName' },
      });

      const properties = bucketOf(template);

      expect(properties).toEqual({
        Account: '111111111111',
        Region: 'us-east-1',
        Partition: 'aws',
        Suffix: 'amazonaws.com',
        Stack: 'test-stack',
      });
    });

    it('removes a property that resolves to AWS::NoValue', () => {
      const template = withBucket(
        {
          BucketName: 'logs',
          Tags: { 'Fn::If': ['IsProd', [{ Key: 'env', Value: 'prod' }], { Ref: 'AWS::NoValue' }] },
        },
        withEnv({}, { Conditions: isProd }),
      );

      const properties = bucketOf(template, { Env: 'dev' });

      expect(properties).toEqual({ BucketName: 'logs' });
    });

    it('removes a list element that resolves to AWS::NoValue', () => {
      const template = withBucket(
        { Names: ['always', { 'Fn::If': ['IsProd', 'prod-only', { Ref: 'AWS::NoValue' }] }] },
        withEnv({}, { Conditions: isProd }),
      );

      const properties = bucketOf(template, { Env: 'dev' });

      expect(properties).toEqual({ Names: ['always'] });
    });

    it('resolves Fn::Sub from its variable map, parameters and pseudo parameters', () => {
      const template = withBucket(
        {
          Path: {
            'Fn::Sub': [
              '${Prefix}/${Env}/${AWS::AccountId}/${!Literal}',
              { Prefix: { 'Fn::Join': ['-', ['app', { Ref: 'Env' }]] } },
            ],
          },
        },
        withEnv({}),
      );

      const properties = bucketOf(template, { Env: 'prod' });

      expect(properties).toEqual({ Path: 'app-prod/prod/111111111111/${Literal}' });
    });

    it('leaves Fn::Sub variables that name a resource, or resolve to one, as ${…} text', () => {
      const template = {
        Resources: {
          Bucket: { Type: 'AWS::S3::Bucket' },
          Topic: {
            Type: 'AWS::SNS::Topic',
            Properties: {
              Name: {
                'Fn::Sub': [
                  '${Bucket}:${Bucket.Arn}:${Arn}',
                  { Arn: { 'Fn::GetAtt': ['Bucket', 'Arn'] } },
                ],
              },
            },
          },
        },
      };

      const deployed = deploy(template);

      expect(deployed.resources.Topic?.Properties).toEqual({
        Name: '${Bucket}:${Bucket.Arn}:${Arn}',
      });
    });

    it('resolves a nested Fn::If through the branch each condition picks', () => {
      const template = withBucket(
        {
          Retention: {
            'Fn::If': ['IsProd', 365, { 'Fn::If': ['IsTest', 7, { Ref: 'AWS::NoValue' }] }],
          },
        },
        withEnv(
          {},
          {
            Conditions: { ...isProd, IsTest: { 'Fn::Equals': [{ Ref: 'Env' }, 'test'] } },
          },
        ),
      );

      const properties = bucketOf(template, { Env: 'test' });

      expect(properties).toEqual({ Retention: 7 });
    });

    it('keeps a Fn::Join over unresolved parts, with its other parts resolved', () => {
      const template = {
        Resources: {
          Bucket: { Type: 'AWS::S3::Bucket' },
          Topic: {
            Type: 'AWS::SNS::Topic',
            Properties: {
              Name: {
                'Fn::Join': [':', [{ Ref: 'AWS::Region' }, { 'Fn::GetAtt': ['Bucket', 'Arn'] }]],
              },
            },
          },
        },
      };

      const deployed = deploy(template);

      expect(deployed.resources.Topic?.Properties).toEqual({
        Name: { 'Fn::Join': [':', ['us-east-1', { 'Fn::GetAtt': ['Bucket', 'Arn'] }]] },
      });
    });

    it('selects an element of a list that Fn::Split makes', () => {
      const template = withBucket(
        { Second: { 'Fn::Select': [1, { 'Fn::Split': [',', { Ref: 'Env' }] }] } },
        withEnv({}),
      );

      const properties = bucketOf(template, { Env: 'a,b,c' });

      expect(properties).toEqual({ Second: 'b' });
    });

    it('fails the deployment when Fn::Select is out of range', () => {
      const template = withBucket({ Name: { 'Fn::Select': [3, ['a', 'b']] } });

      const error = failure(() => deploy(template));

      expect(error).toEqual({
        type: 'DeploymentFailedError',
        message: 'Fn::Select index 3 is out of range for a list of 2',
      });
    });

    it('refuses Fn::Split over a value only known once resources exist', () => {
      const template = withBucket({ Parts: { 'Fn::Split': [':', { Ref: 'Bucket' }] } });

      const error = failure(() => deploy(template));

      expect(error).toEqual({
        type: 'UnsupportedFeatureError',
        message: 'Fn::Split needs concrete values, got {"Ref":"Bucket"}',
      });
    });

    it('leaves a Ref and a Fn::GetAtt to a resource symbolic', () => {
      const template = {
        Resources: {
          Bucket: { Type: 'AWS::S3::Bucket' },
          Topic: {
            Type: 'AWS::SNS::Topic',
            Properties: { Name: { Ref: 'Bucket' }, Arn: { 'Fn::GetAtt': ['Bucket', 'Arn'] } },
          },
        },
      };

      const deployed = deploy(template);

      expect(deployed.resources.Topic?.Properties).toEqual({
        Name: { Ref: 'Bucket' },
        Arn: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
      });
    });

    it('fails the deployment on a Ref to a resource whose Condition is false', () => {
      const template = withEnv(
        {},
        {
          Conditions: isProd,
          Resources: {
            Bucket: { Type: 'AWS::S3::Bucket', Condition: 'IsProd' },
            Topic: { Type: 'AWS::SNS::Topic', Properties: { Name: { Ref: 'Bucket' } } },
          },
        },
      );

      const error = failure(() => deploy(template, { Env: 'dev' }));

      expect(error).toEqual({
        type: 'DeploymentFailedError',
        message: 'Unresolved resource dependencies [Bucket]: its condition is false',
      });
    });

    it('looks a value up in Mappings by a parameter, and fails on a key that is not there', () => {
      const template = withEnv(
        {},
        withBucket(
          { Count: { 'Fn::FindInMap': ['Size', { Ref: 'Env' }, 'Count'] } },
          { Mappings: { Size: { dev: { Count: 1 }, prod: { Count: 3 } } } },
        ),
      );

      expect(bucketOf(template, { Env: 'prod' })).toEqual({ Count: 3 });
      expect(failure(() => deploy(template, { Env: 'test' }))).toEqual({
        type: 'DeploymentFailedError',
        message: 'Fn::FindInMap: key test is not in the mapping',
      });
    });

    it('refuses an intrinsic function it does not model', () => {
      const template = withBucket({ Zone: { 'Fn::GetAZs': '' } });

      const error = failure(() => deploy(template));

      expect(error).toEqual({
        type: 'UnsupportedFeatureError',
        message: 'unsupported intrinsic Fn::GetAZs',
      });
    });

    it('keeps the outputs whose Condition holds, with their Values resolved', () => {
      const template = withEnv(
        {},
        {
          Conditions: isProd,
          Outputs: {
            Region: { Value: { Ref: 'AWS::Region' } },
            ProdOnly: { Value: 'yes', Condition: 'IsProd' },
          },
        },
      );

      const deployed = deploy(template, { Env: 'dev' });

      expect(deployed.outputs).toEqual({ Region: 'us-east-1' });
    });

    it('keeps DependsOn and DeletionPolicy as written', () => {
      const template = {
        Resources: {
          Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
          Topic: { Type: 'AWS::SNS::Topic', DependsOn: ['Bucket'] },
        },
      };

      const deployed = deploy(template);

      expect(deployed.resources).toEqual({
        Bucket: { Type: 'AWS::S3::Bucket', Properties: {}, DeletionPolicy: 'Retain' },
        Topic: { Type: 'AWS::SNS::Topic', Properties: {}, DependsOn: ['Bucket'] },
      });
    });
  });
});
