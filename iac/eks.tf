module "eks" {
  source = "./modules/eks"
  count  = var.enable_eks ? 1 : 0

  name                   = local.name
  kubernetes_version     = var.eks_version
  subnet_ids             = data.aws_subnets.default.ids
  node_instance_types    = var.eks_node_instance_types
  node_count             = var.eks_node_count
  data_access_policy_arn = aws_iam_policy.data_access.arn
  mlflow_bucket_arn      = aws_s3_bucket.this["mlflow"].arn
  ci_role_arn            = var.github_repository == "" ? null : aws_iam_role.ci[0].arn
}
