variable "region" {
  description = "AWS region for every resource."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Environment name (dev, staging, prod); part of every resource name."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.environment))
    error_message = "environment must be 2-15 characters: lower-case letters, digits and '-', starting with a letter."
  }
}

variable "name_prefix" {
  description = "Prefix of resource names. Bucket names are <name_prefix>-<environment>-<purpose>-<account id>, so they are globally unique."
  type        = string
  default     = "health-predict"
}

variable "tags" {
  description = "Extra tags for every resource (cost centre, owner, ...)."
  type        = map(string)
  default     = {}
}

variable "allowed_cidrs" {
  description = "CIDR blocks allowed to reach the host's services (SSH, MLflow 5000, Airflow 8080, scoring NodePort 30080). Empty: nothing is open; use SSM Session Manager port forwarding."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "allowed_cidrs must be valid CIDR blocks, and 0.0.0.0/0 is refused: open the host to your own address only."
  }
}

variable "ssh_key_name" {
  description = "Name of an existing EC2 key pair for SSH; null for none (SSM Session Manager still works)."
  type        = string
  default     = null
}

variable "host_instance_type" {
  description = "Instance type of the single host running MLflow, Airflow, PostgreSQL and Minikube. 4 vCPU / 16 GiB is the smallest that runs a sweep beside the services."
  type        = string
  default     = "t3.xlarge"
}

variable "host_use_spot" {
  description = "Run the host as a persistent Spot instance (about 60-70% cheaper; AWS may stop it, the EBS volume and data stay)."
  type        = bool
  default     = false
}

variable "host_volume_size_gb" {
  description = "Size of the host's encrypted gp3 root volume (images, PostgreSQL, Minikube)."
  type        = number
  default     = 100
}

variable "data_noncurrent_version_days" {
  description = "Days that replaced or deleted object versions are kept in the data and artifact buckets."
  type        = number
  default     = 30
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete non-empty buckets (all data and model artifacts). Keep false outside throw-away environments."
  type        = bool
  default     = false
}

variable "enable_eks" {
  description = "Also create an EKS cluster (module eks) with a managed node group and IRSA roles for serving and Spark jobs."
  type        = bool
  default     = false
}

variable "eks_version" {
  description = "Kubernetes version of the EKS cluster (the manifests need 1.30 or newer)."
  type        = string
  default     = "1.33"
}

variable "eks_node_instance_types" {
  description = "Instance types of the EKS managed node group."
  type        = list(string)
  default     = ["m6i.xlarge"]
}

variable "eks_node_count" {
  description = "Desired, minimum and maximum size of the EKS node group."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = {
    desired = 3
    min     = 2
    max     = 6
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose main-branch workflow may push images and deploy (OIDC role). Empty: no CI role."
  type        = string
  default     = ""
}

variable "host_versions" {
  description = "Versions the host installs at first boot: MLflow (same as python/requirements.txt), Airflow, Minikube, and the Kubernetes release Minikube runs (kubectl matches it)."
  type = object({
    mlflow     = string
    airflow    = string
    minikube   = string
    kubernetes = string
  })
  default = {
    mlflow     = "3.17.2"
    airflow    = "3.1.0"
    minikube   = "v1.37.0"
    kubernetes = "v1.33.5"
  }
}
