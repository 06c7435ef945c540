module matrix-sovereign-iac/test/tools/hcl-check

go 1.24

// The HCL 1 parser release HashiCorp's and OpenBao's server configuration loaders use.
require github.com/hashicorp/hcl v1.0.1-vault-7
