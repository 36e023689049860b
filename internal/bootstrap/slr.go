package bootstrap

import "slices"

// ServiceLinkedRole is a service-linked role the stacks need before CloudFormation creates them.
type ServiceLinkedRole struct {
	// Service is the name create-service-linked-role takes (--aws-service-name).
	Service string
	// Role is the role's name in IAM.
	Role string
	// Why it is created in the bootstrap step rather than left to the service.
	Why string
}

// serviceLinkedRoles are the service-linked roles to create before the first deployment, by the
// resource type that needs them. Only those that CloudFormation's first create does not get
// reliably are listed: ECS creates AWSServiceRoleForECS on the first CreateCluster but then
// assumes it at once, and the new role is not yet usable everywhere (IAM is eventually
// consistent), so the account's first cluster fails "Unable to assume the service linked role";
// CDK's scalable targets name AWSServiceRoleForApplicationAutoScaling_ECSService's ARN, which
// Application Auto Scaling creates only in RegisterScalableTarget. The others the stacks use
// (Elastic Load Balancing, RDS, Global Accelerator, GuardDuty, Security Hub, DynamoDB
// replication, OpenSearch Serverless) the service creates on the first create, which the execution policy allows
// (iam:CreateServiceLinkedRole), and nothing names the role before then; the baseline's AWS
// Config recorder uses a role of its own, not AWSServiceRoleForConfig.
var serviceLinkedRoles = map[string][]ServiceLinkedRole{
	"AWS::ECS::Cluster": {ecsRole},
	"AWS::ECS::Service": {ecsRole},
	"AWS::ApplicationAutoScaling::ScalableTarget/ecs": {{
		Service: "ecs.application-autoscaling.amazonaws.com", Role: "AWSServiceRoleForApplicationAutoScaling_ECSService",
		Why: "the scalable targets name it (RoleARN); Application Auto Scaling creates it only on its first RegisterScalableTarget",
	}},
}

var ecsRole = ServiceLinkedRole{
	Service: "ecs.amazonaws.com", Role: "AWSServiceRoleForECS",
	Why: "ECS creates it on the account's first CreateCluster and assumes it at once, before IAM has it everywhere: that first create fails",
}

// rolesFor are the service-linked roles of the resource kinds (types, and types/namespace for
// scalable targets), each once, sorted by service.
func rolesFor(kinds []string) []ServiceLinkedRole {
	var out []ServiceLinkedRole
	for _, kind := range kinds {
		for _, role := range serviceLinkedRoles[kind] {
			if !slices.Contains(out, role) {
				out = append(out, role)
			}
		}
	}
	slices.SortFunc(out, func(a, b ServiceLinkedRole) int {
		if a.Service < b.Service {
			return -1
		}
		if a.Service > b.Service {
			return 1
		}
		return 0
	})
	return out
}
