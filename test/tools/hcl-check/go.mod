module matrix-sovereign-iac/test/tools/hcl-check

go 1.24

require (
	// The HCL 1 parser release HashiCorp's and OpenBao's server configuration loaders use.
	github.com/hashicorp/hcl v1.0.1-vault-7
	// HCL 2, as OpenTofu 1.10 reads Terraform JSON strings (with OpenTofu's replacement below).
	github.com/hashicorp/hcl/v2 v2.20.1
	github.com/zclconf/go-cty v1.16.2
)

require (
	github.com/agext/levenshtein v1.2.1 // indirect
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // indirect
	github.com/mitchellh/go-wordwrap v0.0.0-20150314170334-ad45545899c7 // indirect
	golang.org/x/mod v0.17.0 // indirect
	golang.org/x/sync v0.10.0 // indirect
	golang.org/x/text v0.21.0 // indirect
	golang.org/x/tools v0.21.1-0.20240508182429-e35e4ccd0d2d // indirect
)

// OpenTofu's own replace directive at 1.10.10 (see test/tools/engine-tofu/go.mod): the template parser the engine runs.
replace github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828
