data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The cost-optimised set-up runs in the account's default VPC: no NAT gateway to pay for.
data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

locals {
  name       = "${var.name_prefix}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  buckets = {
    raw       = "Raw encounter CSVs as delivered (input of the split job)."
    processed = "Split Parquet data, batches, scores and drift reports."
    mlflow    = "MLflow artifact store: models, sweep plots, reports."
  }

  ecr_repositories = toset(["serving", "jobs"])
}
