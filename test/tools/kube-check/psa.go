package main

import (
	"flag"
	"fmt"
	"io"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	strictjson "sigs.k8s.io/json"
)

type podSecurityResult struct {
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Name       string   `json:"name"`
	Allowed    bool     `json:"allowed"`
	Violations []string `json:"violations"`
}

// podBearingKinds decode each kind the admission plugin checks and point at the pod it
// evaluates: the Pod itself, or the pod template of the workload.
var podBearingKinds = map[string]func() (any, podAccessor){
	"v1/Pod": func() (any, podAccessor) {
		o := &corev1.Pod{}
		return o, func() (*metav1.ObjectMeta, *corev1.PodSpec) { return &o.ObjectMeta, &o.Spec }
	},
	"apps/v1/Deployment": func() (any, podAccessor) {
		o := &appsv1.Deployment{}
		return o, templateOf(&o.Spec.Template)
	},
	"apps/v1/StatefulSet": func() (any, podAccessor) {
		o := &appsv1.StatefulSet{}
		return o, templateOf(&o.Spec.Template)
	},
	"apps/v1/DaemonSet": func() (any, podAccessor) {
		o := &appsv1.DaemonSet{}
		return o, templateOf(&o.Spec.Template)
	},
	"apps/v1/ReplicaSet": func() (any, podAccessor) {
		o := &appsv1.ReplicaSet{}
		return o, templateOf(&o.Spec.Template)
	},
	"batch/v1/Job": func() (any, podAccessor) {
		o := &batchv1.Job{}
		return o, templateOf(&o.Spec.Template)
	},
	"batch/v1/CronJob": func() (any, podAccessor) {
		o := &batchv1.CronJob{}
		return o, templateOf(&o.Spec.JobTemplate.Spec.Template)
	},
}

type podAccessor func() (*metav1.ObjectMeta, *corev1.PodSpec)

func templateOf(template *corev1.PodTemplateSpec) podAccessor {
	return func() (*metav1.ObjectMeta, *corev1.PodSpec) { return &template.ObjectMeta, &template.Spec }
}

func runPodSecurity(args []string, in io.Reader) ([]podSecurityResult, error) {
	flags := flag.NewFlagSet("psa", flag.ContinueOnError)
	levelFlag := flags.String("level", "restricted", "Pod Security Standard level: baseline or restricted")
	versionFlag := flags.String("version", "latest", "policy version, e.g. v1.33")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	level, err := psaapi.ParseLevel(*levelFlag)
	if err != nil {
		return nil, err
	}
	version, err := psaapi.ParseVersion(*versionFlag)
	if err != nil {
		return nil, err
	}
	levelVersion := psaapi.LevelVersion{Level: level, Version: version}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, err
	}
	documents, err := readDocuments(in)
	if err != nil {
		return nil, err
	}
	results := []podSecurityResult{}
	for _, doc := range documents {
		newObject, podBearing := podBearingKinds[doc.str("apiVersion")+"/"+doc.str("kind")]
		if !podBearing {
			continue
		}
		object, pod := newObject()
		result := podSecurityResult{Kind: doc.str("kind"), Namespace: doc.meta("namespace"), Name: doc.meta("name"), Violations: []string{}}
		violations, err := evaluatePodSecurity(evaluator, levelVersion, doc.json, object, pod)
		if err != nil {
			result.Violations = append(result.Violations, err.Error())
		}
		result.Violations = append(result.Violations, violations...)
		result.Allowed = len(result.Violations) == 0
		results = append(results, result)
	}
	return results, nil
}

// evaluatePodSecurity decodes strictly, as kubectl's default server-side field validation
// would (a misspelt securityContext field must not pass silently), then runs the registry.
func evaluatePodSecurity(evaluator policy.Evaluator, levelVersion psaapi.LevelVersion, data []byte, object any, pod podAccessor) ([]string, error) {
	var violations, reasons []string
	strictErrs, err := strictjson.UnmarshalStrict(data, object, strictjson.DisallowDuplicateFields, strictjson.DisallowUnknownFields)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	for _, strictErr := range strictErrs { // unknown or duplicate fields: reported, the rest still checked
		violations = append(violations, "decode: "+strictErr.Error())
	}
	podMeta, podSpec := pod()
	// The registry's verdict is authoritative; running each active check alone only names it.
	verdict := policy.AggregateCheckResults(evaluator.EvaluatePod(levelVersion, podMeta, podSpec))
	for _, check := range activeChecks(levelVersion) {
		if result := check.CheckPod(podMeta, podSpec); !result.Allowed {
			violations = append(violations, fmt.Sprintf("%s: %s: %s", check.id, result.ForbiddenReason, result.ForbiddenDetail))
			reasons = append(reasons, result.ForbiddenReason)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(reasons)), slices.Sorted(slices.Values(verdict.ForbiddenReasons))) {
		return violations, fmt.Errorf("internal: per-check results %q differ from the evaluator's %q", reasons, verdict.ForbiddenReasons)
	}
	return violations, nil
}

type activeCheck struct {
	id policy.CheckID
	policy.VersionedCheck
}

// activeChecks resolves which version of which check applies at a level and version, as
// the registry does: the newest version not newer than asked, baseline checks included in
// restricted, and a restricted check replacing the baseline checks it overrides.
func activeChecks(levelVersion psaapi.LevelVersion) []activeCheck {
	var active []activeCheck
	overridden := map[policy.CheckID]bool{}
	for _, check := range policy.DefaultChecks() {
		if levelVersion.Level == psaapi.LevelPrivileged || (levelVersion.Level == psaapi.LevelBaseline && check.Level == psaapi.LevelRestricted) {
			continue
		}
		var current *policy.VersionedCheck
		for i := range check.Versions {
			if !levelVersion.Version.Older(check.Versions[i].MinimumVersion) {
				current = &check.Versions[i]
			}
		}
		if current == nil {
			continue
		}
		for _, id := range current.OverrideCheckIDs {
			overridden[id] = true
		}
		active = append(active, activeCheck{id: check.ID, VersionedCheck: *current})
	}
	return slices.DeleteFunc(active, func(check activeCheck) bool { return overridden[check.id] })
}
