output "buckets" {
  description = "S3 bucket names by purpose (raw, processed, mlflow); use them as s3a://<name>/ in the jobs."
  value       = { for k, b in aws_s3_bucket.this : k => b.bucket }
}

output "ecr_repositories" {
  description = "ECR repository URLs by image (serving, jobs)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "host_instance_id" {
  description = "Instance id of the single host (for `aws ssm start-session --target`)."
  value       = aws_instance.host.id
}

output "host_public_dns" {
  description = "Public DNS name of the single host: MLflow on :5000, Airflow on :8080, scoring on :30080."
  value       = aws_instance.host.public_dns
}

output "ci_role_arn" {
  description = "Role that the GitHub Actions workflow assumes (secret AWS_DEPLOY_ROLE_ARN); null without github_repository."
  value       = var.github_repository == "" ? null : aws_iam_role.ci[0].arn
}

output "eks_cluster_name" {
  description = "EKS cluster name (null unless enable_eks); `aws eks update-kubeconfig --name <this>`."
  value       = var.enable_eks ? module.eks[0].cluster_name : null
}

output "eks_irsa_roles" {
  description = "IRSA role ARNs to annotate the service accounts with (k8s/overlays/eks, spark-operator/rbac.yaml)."
  value = var.enable_eks ? {
    serving    = module.eks[0].serving_role_arn
    spark_jobs = module.eks[0].spark_jobs_role_arn
  } : null
}
