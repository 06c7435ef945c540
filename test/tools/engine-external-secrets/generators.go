// Replaces External Secrets' pkg/register/generators.go at build time (go build -overlay, see
// test/engine/support/tools/operators.ts): upstream registers every generator unconditionally
// (ECR, GCR, ACR, STS, ... pull in the cloud SDKs); this deployment uses only Password.
package register

import (
	genv1alpha1 "github.com/external-secrets/external-secrets/apis/generators/v1alpha1"
	password "github.com/external-secrets/external-secrets/generators/v1/password"
)

func init() {
	genv1alpha1.Register(password.Kind(), password.NewGenerator())
}
