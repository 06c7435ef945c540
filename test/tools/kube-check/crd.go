package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	strictjson "sigs.k8s.io/json"
)

type crdResult struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Name       string   `json:"name"`
	Errors     []string `json:"errors"`
}

// servedVersion is what the API server builds once per CRD version: a structural schema
// (pruning, defaulting, CEL typing), the OpenAPI validator and the compiled CEL rules.
type servedVersion struct {
	served     bool
	namespaced bool
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
	cel        *cel.Validator // nil when the schema has no x-kubernetes-validations
}

type crdIndex map[schema.GroupKind]map[string]*servedVersion

func runCRDValidation(args []string, in io.Reader) ([]crdResult, error) {
	flags := flag.NewFlagSet("crd", flag.ContinueOnError)
	crdsFlag := flags.String("crds", "", "comma-separated CustomResourceDefinition files or directories of *.yaml")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	if *crdsFlag == "" {
		return nil, fmt.Errorf("--crds is required")
	}
	index, err := loadCRDs(strings.Split(*crdsFlag, ","))
	if err != nil {
		return nil, err
	}
	documents, err := readDocuments(in)
	if err != nil {
		return nil, err
	}
	results := []crdResult{}
	for _, doc := range documents {
		result := crdResult{APIVersion: doc.str("apiVersion"), Kind: doc.str("kind"), Namespace: doc.meta("namespace"), Name: doc.meta("name"), Errors: []string{}}
		result.Errors = append(result.Errors, index.validate(doc.object)...)
		results = append(results, result)
	}
	return results, nil
}

func loadCRDs(paths []string) (crdIndex, error) {
	index := crdIndex{}
	for _, path := range paths {
		files := []string{path}
		if info, err := os.Stat(path); err != nil {
			return nil, err
		} else if info.IsDir() {
			if files, err = filepath.Glob(filepath.Join(path, "*.yaml")); err != nil {
				return nil, err
			}
		}
		for _, file := range files {
			if err := index.addFile(file); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
	}
	return index, nil
}

func (index crdIndex) addFile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	documents, err := readDocuments(f)
	if err != nil {
		return err
	}
	for _, doc := range documents {
		if doc.str("kind") != "CustomResourceDefinition" {
			continue // e.g. a kustomization.yaml beside the CRDs
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := strictjson.UnmarshalCaseSensitivePreserveInts(doc.json, &crd); err != nil {
			return err
		}
		groupKind := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
		index[groupKind] = map[string]*servedVersion{}
		for _, version := range crd.Spec.Versions {
			served, err := newServedVersion(crd.Spec.Scope == apiextensionsv1.NamespaceScoped, version)
			if err != nil {
				return fmt.Errorf("%s %s: %w", groupKind, version.Name, err)
			}
			index[groupKind][version.Name] = served
		}
	}
	return nil
}

func newServedVersion(namespaced bool, version apiextensionsv1.CustomResourceDefinitionVersion) (*servedVersion, error) {
	served := &servedVersion{served: version.Served, namespaced: namespaced}
	if version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("no openAPIV3Schema")
	}
	// The validation packages work on the internal (unversioned) API types.
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(version.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
		return nil, err
	}
	var err error
	if served.structural, err = structuralschema.NewStructural(&internal); err != nil {
		return nil, err
	}
	if served.validator, _, err = validation.NewSchemaValidator(&internal); err != nil {
		return nil, err
	}
	served.cel = cel.NewValidator(served.structural, true, celconfig.PerCallLimit)
	return served, nil
}

// validate follows the API server's create path for a custom resource: decode with strict
// field validation (kubectl's default, so unknown fields are errors, not silently pruned),
// default, then the schema, embedded-object metadata, list-type and CEL validations.
func (index crdIndex) validate(object map[string]any) []string {
	apiVersion, _ := object["apiVersion"].(string)
	kind, _ := object["kind"].(string)
	groupVersion, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return []string{"apiVersion: " + err.Error()}
	}
	versions, known := index[groupVersion.WithKind(kind).GroupKind()]
	if !known {
		return []string{fmt.Sprintf("kind: no CustomResourceDefinition for kind %q in group %q among the given files", kind, groupVersion.Group)}
	}
	version, known := versions[groupVersion.Version]
	if !known || !version.served {
		return []string{fmt.Sprintf("apiVersion: %q is not served (served: %s)", apiVersion, strings.Join(servedAPIVersions(groupVersion.Group, versions), ", "))}
	}

	// Strict field validation rejects the request on unknown fields alone, with this message.
	unknown, err := version.unknownFields(object)
	if err != nil {
		return []string{err.Error()}
	}
	if len(unknown) > 0 {
		var errs []string
		for _, path := range unknown {
			errs = append(errs, fmt.Sprintf("unknown field %q", path))
		}
		return errs
	}
	// The server then drops nulls the schema does not allow (instead of rejecting them) and defaults.
	defaulting.PruneNonNullableNullsWithoutDefaults(object, version.structural)
	defaulting.Default(object, version.structural)

	errs := version.validateRootMetadata(object)
	errs = append(errs, validation.ValidateCustomResource(nil, object, version.validator)...)
	errs = append(errs, objectmeta.Validate(context.Background(), nil, object, version.structural, false)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, version.structural, object)...)
	// As the API server does, skip CEL when the object is malformed enough to break rules.
	if version.cel != nil && !hasBlockingError(errs) {
		celErrs, _ := version.cel.Validate(context.Background(), nil, version.structural, object, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	messages := []string{}
	for _, err := range errs {
		messages = append(messages, err.Error())
	}
	sort.Strings(messages) // the OpenAPI validator walks maps in random order
	return messages
}

// unknownFields lists what decoding would drop: unknown root metadata fields, fields the
// structural schema does not declare (respecting x-kubernetes-preserve-unknown-fields and
// x-kubernetes-embedded-resource) and unknown metadata of embedded objects.
// Malformed metadata (e.g. labels that are not a string map) is an error of its own.
func (version *servedVersion) unknownFields(object map[string]any) ([]string, error) {
	_, _, unknown, err := objectmeta.GetObjectMetaWithOptions(object, objectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	unknown = append(unknown, pruning.PruneWithOptions(object, version.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	fieldErr, embedded := objectmeta.CoerceWithOptions(nil, object, version.structural, false, objectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if fieldErr != nil {
		return nil, fieldErr
	}
	unknown = append(unknown, embedded...)
	sort.Strings(unknown)
	return unknown, nil
}

// validateRootMetadata checks name, labels, annotations etc. as for any object. The
// namespace comes from the request in a real cluster, so a namespaced object without one
// is checked as if created in "default", and a cluster-scoped one's namespace is dropped.
func (version *servedVersion) validateRootMetadata(object map[string]any) field.ErrorList {
	metadata, _, err := objectmeta.GetObjectMeta(object, false)
	if err != nil || metadata == nil {
		return field.ErrorList{field.Required(field.NewPath("metadata"), fmt.Sprint(err))}
	}
	if !version.namespaced {
		metadata.Namespace = ""
	} else if metadata.Namespace == "" {
		metadata.Namespace = "default"
	}
	return apivalidation.ValidateObjectMeta(metadata, version.namespaced, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
}

// hasBlockingError mirrors the API server's rule for when CEL rules are not evaluated.
func hasBlockingError(errs field.ErrorList) bool {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

func servedAPIVersions(group string, versions map[string]*servedVersion) []string {
	var served []string
	for name, version := range versions {
		if version.served {
			served = append(served, group+"/"+name)
		}
	}
	sort.Strings(served)
	return served
}
