output "cluster_name" {
  description = "EKS cluster name."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "EKS cluster ARN."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "serving_role_arn" {
  description = "IRSA role for k8s ServiceAccount health-predict/health-predict-serving."
  value       = aws_iam_role.irsa["serving"].arn
}

output "spark_jobs_role_arn" {
  description = "IRSA role for k8s ServiceAccount health-predict-jobs/health-predict-spark."
  value       = aws_iam_role.irsa["spark-jobs"].arn
}
