"""Synthetic outlines shaped like the seed: `# title`, `##` services, `###` topics, nested bullets.

Deterministic for a given seed, so benchmarks compare like with like. It generates text only;
building and timing belong to bench_scale.py.

    python bench/synth.py --lines 20000 --files 4 --out /tmp/synth  # writes part-01.md … part-04.md

>>> synth_outline(12, seed=1).count("\\n")
12
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SERVICES = (
    "EC2",
    "S3",
    "Lambda",
    "DynamoDB",
    "Aurora",
    "RDS",
    "VPC",
    "Route53",
    "CloudFront",
    "IAM",
    "KMS",
    "CloudWatch",
    "CloudTrail",
    "Config",
    "Organizations",
    "Control Tower",
    "Transit Gateway",
    "Direct Connect",
    "Site-to-Site VPN",
    "ECS",
    "EKS",
    "Fargate",
    "SQS",
    "SNS",
    "EventBridge",
    "Step Functions",
    "Kinesis",
    "Redshift",
    "Athena",
    "Glue",
    "EMR",
    "ElastiCache",
    "EFS",
    "FSx",
    "Backup",
    "Storage Gateway",
    "DataSync",
    "Snowball",
    "Secrets Manager",
    "Systems Manager",
    "GuardDuty",
    "Security Hub",
    "Macie",
    "Inspector",
    "WAF",
    "Shield",
    "API Gateway",
    "Cognito",
    "CloudFormation",
    "Service Catalog",
    "Elastic Beanstalk",
    "Auto Scaling",
    "ELB",
    "Global Accelerator",
)
TOPICS = (
    "Features",
    "Use cases",
    "Limits",
    "Pricing",
    "Security",
    "Encryption",
    "Replication",
    "High availability",
    "Disaster recovery",
    "Monitoring",
    "Networking",
    "Performance",
    "Cost optimisation",
    "Integration",
    "Access control",
    "Backups",
    "Scaling",
    "Quotas",
    "Migration",
    "Logging",
    "Consistency model",
    "Storage classes",
    "Endpoints",
    "Lifecycle",
)
NOUNS = (
    "bucket",
    "instance",
    "subnet",
    "route table",
    "security group",
    "policy",
    "role",
    "snapshot",
    "replica",
    "endpoint",
    "gateway",
    "queue",
    "topic",
    "stream",
    "shard",
    "partition key",
    "cluster",
    "node group",
    "task definition",
    "target group",
    "listener",
    "certificate",
    "key",
    "alias",
    "hosted zone",
    "record",
    "VIF",
    "peering connection",
    "prefix list",
    "account",
    "OU",
    "SCP",
    "permission boundary",
    "trail",
    "log group",
    "metric filter",
    "alarm",
    "rule",
    "pipeline",
    "job",
    "crawler",
    "table",
    "index",
    "volume",
    "AMI",
    "launch template",
    "placement group",
)
VERBS = (
    "Supports",
    "Requires",
    "Replicates",
    "Encrypts",
    "Scales",
    "Stores",
    "Routes",
    "Filters",
    "Caches",
    "Retains",
    "Rotates",
    "Shares",
    "Monitors",
    "Audits",
    "Restores",
    "Attaches",
    "Distributes",
    "Throttles",
    "Isolates",
    "Provisions",
    "Exports",
    "Imports",
    "Logs",
    "Invokes",
)
DETAILS = (
    "across AZs",
    "within a region",
    "across regions",
    "per account",
    "per VPC",
    "at rest with KMS",
    "in transit with TLS",
    "up to 5 TB",
    "for 35 days",
    "every 5 minutes",
    "with no downtime",
    "using IAM policies",
    "via resource-based policies",
    "through a VPC endpoint",
    "on demand",
    "with provisioned capacity",
    "up to 10,000 requests per second",
    "with eventual consistency",
    "with strong consistency",
    "for compliance",
    "behind an ALB",
    "from on-premises",
    "over Direct Connect",
    "with cross-account access",
    "in the management account",
    "by default",
)
SHORT = ("Pros", "Cons", "Examples", "Options", "Remember", "Exam tip", "Limitations", "Defaults")
DEPTH_WEIGHTS = (479, 510, 327, 173, 86, 12)  # bullets per indentation level in the seed


def synth_outline(lines: int, seed: int = 0, title: str = "Synthetic AWS Architecture") -> str:
    """About `lines` lines of outline text (always ends with a newline)."""
    rng = random.Random(seed)
    out = [f"# {title}"]
    while len(out) < lines:
        service = rng.choice(SERVICES)
        out.append(f"## {service} {rng.randrange(1, 1000)}")
        for topic in rng.sample(TOPICS, rng.randint(2, 6)):
            if len(out) >= lines:
                break
            out.append(f"### {topic}")
            out.extend(_bullets(rng, service, min(rng.randint(3, 14), lines - len(out))))
    return "\n".join(out[:lines]) + "\n"


def synth_files(lines: int, files: int, seed: int = 0) -> dict[str, str]:
    """`files` outlines of about lines/files lines each, named part-01.md …"""
    per_file = max(lines // files, 1)
    return {
        f"part-{n:02d}.md": synth_outline(
            per_file, seed * 1000 + n, f"Synthetic AWS Architecture {n}"
        )
        for n in range(1, files + 1)
    }


def _bullets(rng: random.Random, service: str, count: int) -> list[str]:
    """A run of nested bullets: each is at most one level deeper than the one above."""
    out, depth = [], -1
    for _ in range(count):
        wanted = rng.choices(range(len(DEPTH_WEIGHTS)), DEPTH_WEIGHTS)[0]
        depth = min(wanted, depth + 1)
        out.append("  " * depth + "- " + _phrase(rng, service))
    return out


def _phrase(rng: random.Random, service: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(SHORT)
    noun = rng.choice(NOUNS)
    if roll < 0.45:
        return f"{service} {noun} {rng.choice(DETAILS)}"
    phrase = f"{rng.choice(VERBS)} {_plural(noun)} {rng.choice(DETAILS)}"
    if roll > 0.9:
        phrase = (
            f"{phrase} and {rng.choice(VERBS).lower()} the {rng.choice(NOUNS)} "
            f"`{noun.replace(' ', '_')}`"
        )
    return phrase


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("cy") else noun + "s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, required=True, help="folder to write the .md files into"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    texts = (
        {"synthetic.md": synth_outline(args.lines, args.seed)}
        if args.files == 1
        else synth_files(args.lines, args.files, args.seed)
    )
    for name, text in texts.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(
        f"wrote {len(texts)} file(s), {sum(t.count(chr(10)) for t in texts.values())} lines, "
        f"to {args.out}"
    )


if __name__ == "__main__":
    main()
