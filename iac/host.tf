# The cost-optimised single host: MLflow (PostgreSQL backend, S3 artifacts), Airflow, PostgreSQL and
# Minikube (serving + Spark operator) on one EC2 instance, as the original system ran.

data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"] # Debian's official account

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "host" {
  name               = "${local.name}-host"
  description        = "The single Health Predict host: data buckets, image pulls, SSM sessions."
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

resource "aws_iam_role_policy_attachment" "host" {
  for_each = {
    data = aws_iam_policy.data_access.arn
    ecr  = aws_iam_policy.ecr_pull.arn
    ssm  = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }

  role       = aws_iam_role.host.name
  policy_arn = each.value
}

resource "aws_iam_instance_profile" "host" {
  name = "${local.name}-host"
  role = aws_iam_role.host.name
}

resource "aws_security_group" "host" {
  name        = "${local.name}-host"
  description = "Health Predict host: services reachable from allowed_cidrs only"
  vpc_id      = data.aws_vpc.default.id
}

resource "aws_vpc_security_group_ingress_rule" "host" {
  for_each = {
    for pair in setproduct(var.allowed_cidrs, [
      { name = "ssh", port = 22 },
      { name = "mlflow", port = 5000 },
      { name = "airflow", port = 8080 },
      { name = "scoring", port = 30080 },
    ]) : "${pair[1].name}-${pair[0]}" => { cidr = pair[0], port = pair[1].port }
  }

  security_group_id = aws_security_group.host.id
  cidr_ipv4         = each.value.cidr
  from_port         = each.value.port
  to_port           = each.value.port
  ip_protocol       = "tcp"
  description       = each.key
}

resource "aws_vpc_security_group_egress_rule" "host" {
  security_group_id = aws_security_group.host.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "package registries, AWS APIs, image pulls"
}

resource "aws_instance" "host" {
  ami                    = data.aws_ami.debian.id
  instance_type          = var.host_instance_type
  subnet_id              = data.aws_subnets.default.ids[0]
  vpc_security_group_ids = [aws_security_group.host.id]
  iam_instance_profile   = aws_iam_instance_profile.host.name
  key_name               = var.ssh_key_name

  user_data = templatefile("${path.module}/templates/host-user-data.sh.tftpl", {
    region           = var.region
    raw_bucket       = aws_s3_bucket.this["raw"].bucket
    processed_bucket = aws_s3_bucket.this["processed"].bucket
    mlflow_bucket    = aws_s3_bucket.this["mlflow"].bucket
    mlflow_version   = var.host_versions.mlflow
    airflow_version  = var.host_versions.airflow
    minikube_version = var.host_versions.minikube
    kubectl_version  = var.host_versions.kubernetes
  })
  user_data_replace_on_change = true

  metadata_options {
    http_tokens                 = "required" # IMDSv2 only
    http_put_response_hop_limit = 2          # containers on the host may reach the instance role
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.host_volume_size_gb
    encrypted   = true
  }

  dynamic "instance_market_options" {
    for_each = var.host_use_spot ? [1] : []
    content {
      market_type = "spot"
      spot_options {
        spot_instance_type             = "persistent"
        instance_interruption_behavior = "stop"
      }
    }
  }

  tags = {
    Name = "${local.name}-host"
  }
}
