variable "name" {
  description = "Cluster name and prefix of the module's IAM roles."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the control plane ENIs and the node group (at least two availability zones)."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
}

variable "node_count" {
  description = "Desired, minimum and maximum number of nodes."
  type = object({
    desired = number
    min     = number
    max     = number
  })
}

variable "data_access_policy_arn" {
  description = "IAM policy of the data and artifact buckets, given to the Spark jobs' service account (IRSA)."
  type        = string
}

variable "mlflow_bucket_arn" {
  description = "ARN of the MLflow artifact bucket; the serving service account may read it."
  type        = string
}

variable "ci_role_arn" {
  description = "IAM role of the CI deploy job, given edit rights in the two application namespaces; null for none."
  type        = string
  default     = null
}
