# Terraform: the member template as a service-managed StackSet, deployed to
# every account of two OUs and to accounts that join them later. The
# template is over the 51,200 bytes CloudFormation takes inline, so it is
# uploaded to S3 and given by URL. member.template.json is the member
# template, as `npm run synth:member -- --out member.template.json` writes it.

terraform {
  required_providers {
    # stack_set_instance_region is the instance's Region from version 6 on.
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
}

variable "template_bucket" {
  description = "An S3 bucket of the StackSet's administrator account for the template"
  type        = string
}

variable "organizational_unit_ids" {
  description = "The OUs to deploy the rule to (ou-... or the root r-...)"
  type        = list(string)
}

resource "aws_s3_object" "member_template" {
  bucket = var.template_bucket
  key    = "cloudtrail-1/member.template.json"
  source = "${path.module}/member.template.json"
  etag   = filemd5("${path.module}/member.template.json")
}

resource "aws_cloudformation_stack_set" "cloudtrail_1" {
  name             = "cloudtrail-1-multi-region-trail"
  description      = "AWS Config rule for Security Hub CloudTrail.1, with its remediation"
  permission_model = "SERVICE_MANAGED"
  call_as          = "DELEGATED_ADMIN"
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_url     = "https://${aws_s3_object.member_template.bucket}.s3.amazonaws.com/${aws_s3_object.member_template.key}"

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  operation_preferences {
    failure_tolerance_percentage = 10
    max_concurrent_percentage    = 25
    region_concurrency_type      = "PARALLEL"
  }

  parameters = {
    MaximumExecutionFrequency = "Six_Hours"
    AutomaticRemediation      = "true"
    MaximumAutomaticAttempts  = "3"
    TrustedLogAccountIds      = "444455556666"
    LogRetentionDays          = "2557"
    AlarmTopicArn             = "arn:aws:sns:us-east-1:111122223333:security-alerts"
  }

  lifecycle {
    # A service-managed StackSet has no administration role of its own to compare.
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "cloudtrail_1" {
  for_each       = toset(["us-east-1", "eu-west-1"])
  stack_set_name            = aws_cloudformation_stack_set.cloudtrail_1.name
  call_as                   = "DELEGATED_ADMIN"
  stack_set_instance_region = each.value

  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }
}
