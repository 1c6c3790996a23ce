terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
    tls = {
      source  = "hashicorp/tls"
      version = ">= 4.0, < 5.0"
    }
  }

  # State stays local by default. For a team, keep it in S3 with locking, e.g.:
  # backend "s3" {
  #   bucket       = "my-terraform-state"
  #   key          = "health-predict/terraform.tfstate"
  #   region       = "eu-west-1"
  #   use_lockfile = true
  # }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project     = "health-predict"
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}
