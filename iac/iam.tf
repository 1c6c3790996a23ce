# Least-privilege policies, shared by the single host, the EKS IRSA roles and the CI role.

data "aws_iam_policy_document" "data_access" {
  statement {
    sid       = "ListDataBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [for b in aws_s3_bucket.this : b.arn]
  }
  statement {
    sid = "ReadWriteDataObjects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = [for b in aws_s3_bucket.this : "${b.arn}/*"]
  }
}

data "aws_iam_policy_document" "ecr_pull" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action supports no resource-level scoping
  }
  statement {
    sid = "PullProjectImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = [for r in aws_ecr_repository.this : r.arn]
  }
}

data "aws_iam_policy_document" "ecr_push" {
  source_policy_documents = [data.aws_iam_policy_document.ecr_pull.json]
  statement {
    sid = "PushProjectImages"
    actions = [
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
      "ecr:DescribeImages",
      "ecr:DescribeImageScanFindings",
    ]
    resources = [for r in aws_ecr_repository.this : r.arn]
  }
}

resource "aws_iam_policy" "data_access" {
  name        = "${local.name}-data-access"
  description = "Read/write the Health Predict data and MLflow artifact buckets."
  policy      = data.aws_iam_policy_document.data_access.json
}

resource "aws_iam_policy" "ecr_pull" {
  name        = "${local.name}-ecr-pull"
  description = "Pull the Health Predict images."
  policy      = data.aws_iam_policy_document.ecr_pull.json
}

# ---- CI: GitHub Actions on the main branch pushes images and deploys (OIDC, no stored AWS keys) ----

data "tls_certificate" "github" {
  count = var.github_repository == "" ? 0 : 1
  url   = "https://token.actions.githubusercontent.com/.well-known/openid-configuration"
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.github_repository == "" ? 0 : 1

  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [data.tls_certificate.github[0].certificates[length(data.tls_certificate.github[0].certificates) - 1].sha1_fingerprint]
}

data "aws_iam_policy_document" "ci_trust" {
  count = var.github_repository == "" ? 0 : 1

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github[0].arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/main"]
    }
  }
}

data "aws_iam_policy_document" "ci" {
  source_policy_documents = [data.aws_iam_policy_document.ecr_push.json]
  dynamic "statement" {
    for_each = var.enable_eks ? [1] : []
    content {
      sid       = "DescribeCluster"
      actions   = ["eks:DescribeCluster"]
      resources = [module.eks[0].cluster_arn]
    }
  }
}

resource "aws_iam_role" "ci" {
  count = var.github_repository == "" ? 0 : 1

  name               = "${local.name}-ci"
  description        = "GitHub Actions (main branch of ${var.github_repository}): push images to ECR, deploy to EKS."
  assume_role_policy = data.aws_iam_policy_document.ci_trust[0].json
}

resource "aws_iam_role_policy" "ci" {
  count = var.github_repository == "" ? 0 : 1

  name   = "push-and-deploy"
  role   = aws_iam_role.ci[0].id
  policy = data.aws_iam_policy_document.ci.json
}
