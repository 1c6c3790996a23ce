# An EKS cluster for the production path: managed nodes, secrets encrypted with KMS, IRSA roles for the
# serving pods and the Spark jobs, and a namespace-scoped access entry for CI.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  # namespace/service account → IRSA role (matches k8s/overlays/eks and spark-operator/rbac.yaml)
  service_accounts = {
    serving    = { namespace = "health-predict", name = "health-predict-serving" }
    spark-jobs = { namespace = "health-predict-jobs", name = "health-predict-spark" }
  }
}

data "aws_iam_policy_document" "service_trust" {
  for_each = {
    cluster = "eks.amazonaws.com"
    node    = "ec2.amazonaws.com"
  }

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [each.value]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.service_trust["cluster"].json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_kms_key" "secrets" {
  description             = "Envelope encryption of ${var.name} Kubernetes secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_public_access  = true
    endpoint_private_access = true
  }

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.secrets.arn
    }
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator"]

  depends_on = [aws_iam_role_policy_attachment.cluster]
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-eks-node"
  assume_role_policy = data.aws_iam_policy_document.service_trust["node"].json
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "default"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  instance_types  = var.node_instance_types
  disk_size       = 50

  scaling_config {
    desired_size = var.node_count.desired
    min_size     = var.node_count.min
    max_size     = var.node_count.max
  }

  update_config {
    max_unavailable = 1
  }

  lifecycle {
    ignore_changes = [scaling_config[0].desired_size] # the cluster autoscaler owns it
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

# ---- IRSA: pods assume IAM roles through the cluster's OIDC issuer ----

data "tls_certificate" "oidc" {
  url = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

resource "aws_iam_openid_connect_provider" "this" {
  url             = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [data.tls_certificate.oidc.certificates[length(data.tls_certificate.oidc.certificates) - 1].sha1_fingerprint]
}

data "aws_iam_policy_document" "irsa_trust" {
  for_each = local.service_accounts

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(aws_iam_openid_connect_provider.this.url, "https://", "")}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.name}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(aws_iam_openid_connect_provider.this.url, "https://", "")}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.service_accounts

  name               = "${var.name}-${each.key}"
  description        = "IRSA role of ${each.value.namespace}/${each.value.name}"
  assume_role_policy = data.aws_iam_policy_document.irsa_trust[each.key].json
}

resource "aws_iam_role_policy_attachment" "spark_jobs_data" {
  role       = aws_iam_role.irsa["spark-jobs"].name
  policy_arn = var.data_access_policy_arn
}

data "aws_iam_policy_document" "serving_read_models" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [var.mlflow_bucket_arn]
  }
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${var.mlflow_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "serving_read_models" {
  name   = "read-model-artifacts"
  role   = aws_iam_role.irsa["serving"].id
  policy = data.aws_iam_policy_document.serving_read_models.json
}

# ---- CI may deploy into the application namespaces, nothing else ----

resource "aws_eks_access_entry" "ci" {
  count = var.ci_role_arn == null ? 0 : 1

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.ci_role_arn
}

resource "aws_eks_access_policy_association" "ci" {
  count = var.ci_role_arn == null ? 0 : 1

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.ci_role_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = distinct([for sa in local.service_accounts : sa.namespace])
  }

  depends_on = [aws_eks_access_entry.ci]
}
