module matrix-sovereign-iac/test/tools/engine-run-as

go 1.26.0
