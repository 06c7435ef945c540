// The cert-manager CA injector for the engine proof, wired from cert-manager's own packages
// (its cmd/ modules are not on the Go module proxy): upstream's defaulted configuration and
// pkg/controller/cainjector's injectors (webhook configurations, APIServices, CRDs; CA from
// a Secret, a Certificate or the kubeconfig) on a controller-runtime manager. Built inside a
// copy of the cert-manager module, see test/engine/support/tools/cert-manager.ts.
//
// Flags: those the cert-manager chart passes with this project's values, plus --kubeconfig;
// anything else is refused, so a chart change shows up as a start failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	configscheme "github.com/cert-manager/cert-manager/internal/apis/config/cainjector/scheme"
	"github.com/cert-manager/cert-manager/internal/apis/config/cainjector/validation"
	_ "github.com/cert-manager/cert-manager/internal/cainjector/feature"
	"github.com/cert-manager/cert-manager/internal/kube"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	configv1alpha1 "github.com/cert-manager/cert-manager/pkg/apis/config/cainjector/v1alpha1"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
)

// The Lease the chart's leader-election Role names.
const leaseName = "cert-manager-cainjector-leader-election"

func fail(status int, err error) {
	fmt.Fprintf(os.Stderr, "cert-manager-cainjector: %v\n", err)
	os.Exit(status)
}

// defaults is upstream's configuration with every default applied.
func defaults() (*config.CAInjectorConfiguration, error) {
	scheme, _, err := configscheme.NewSchemeAndCodecs()
	if err != nil {
		return nil, err
	}
	versioned := &configv1alpha1.CAInjectorConfiguration{}
	scheme.Default(versioned)
	internal := &config.CAInjectorConfiguration{}
	if err := scheme.Convert(versioned, internal, nil); err != nil {
		return nil, err
	}
	return internal, nil
}

func parse(cfg *config.CAInjectorConfiguration, args []string) (bool, error) {
	fs := pflag.NewFlagSet("cert-manager-cainjector", pflag.ContinueOnError)
	fs.StringVar(&cfg.KubeConfig, "kubeconfig", cfg.KubeConfig, "kubeconfig file; in-cluster configuration (service account token, KUBERNETES_SERVICE_HOST/PORT) when empty")
	fs.StringVar(&cfg.LeaderElectionConfig.Namespace, "leader-election-namespace", cfg.LeaderElectionConfig.Namespace, "namespace of the leader-election Lease "+leaseName)
	fs.StringVar(&cfg.MetricsListenAddress, "metrics-listen-address", cfg.MetricsListenAddress, "metrics endpoint address; 0 disables it")
	version := fs.Bool("version", false, "print the version and exit")
	logf.AddFlagsNonDeprecated(&cfg.Logging, fs)
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return *version, nil
}

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(cmapi.AddToScheme(scheme))
	utilruntime.Must(admissionregistrationv1.AddToScheme(scheme))
	utilruntime.Must(apiextensionsv1.AddToScheme(scheme))
	utilruntime.Must(apiregistrationv1.AddToScheme(scheme))
	return scheme
}

func run(ctx context.Context, cfg *config.CAInjectorConfiguration) error {
	restConfig, err := kube.BuildClientConfig("", cfg.KubeConfig)
	if err != nil {
		return fmt.Errorf("kubernetes client configuration: %w", err)
	}
	restConfig = util.RestConfigWithUserAgent(restConfig, "cainjector")
	election := cfg.LeaderElectionConfig
	manager, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                        newScheme(),
		LeaderElection:                election.Enabled,
		LeaderElectionNamespace:       election.Namespace,
		LeaderElectionID:              leaseName,
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &election.LeaseDuration,
		RenewDeadline:                 &election.RenewDeadline,
		RetryPeriod:                   &election.RetryPeriod,
		Metrics:                       metricsserver.Options{BindAddress: cfg.MetricsListenAddress},
		// The injectors cache only the metadata of Secrets; their data is read when needed.
		Client: client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}},
	})
	if err != nil {
		return fmt.Errorf("controller manager: %w", err)
	}
	injectables := cfg.EnableInjectableConfig
	err = cainjector.RegisterAllInjectors(ctx, manager, cainjector.SetupOptions{
		Namespace:                    cfg.Namespace,
		IgnoreNamespaces:             cfg.IgnoreNamespaces,
		EnableCertificatesDataSource: cfg.EnableDataSourceConfig.Certificates,
		// Keyed by the setups' (unexported) resource names.
		EnabledReconcilersFor: map[string]bool{
			"mutatingwebhookconfiguration":   injectables.MutatingWebhookConfigurations,
			"validatingwebhookconfiguration": injectables.ValidatingWebhookConfigurations,
			"apiservice":                     injectables.APIServices,
			"customresourcedefinition":       injectables.CustomResourceDefinitions,
		},
	})
	if err != nil {
		return err
	}
	return manager.Start(ctx)
}

func main() {
	cfg, err := defaults()
	if err != nil {
		fail(1, err)
	}
	version, err := parse(cfg, os.Args[1:])
	if errors.Is(err, pflag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fail(2, err)
	}
	if version {
		fmt.Printf("cert-manager-cainjector %s (%s)\n", util.AppVersion, util.AppGitCommit)
		return
	}
	if errs := validation.ValidateCAInjectorConfiguration(cfg, nil); len(errs) > 0 {
		fail(2, errs.ToAggregate())
	}
	logf.InitLogs()
	if err := logf.ValidateAndApply(&cfg.Logging); err != nil {
		fail(2, err)
	}
	ctrl.SetLogger(logf.Log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "cert-manager-cainjector")
	if err := run(ctx, cfg); err != nil {
		logf.Log.Error(err, "cert-manager-cainjector stopped")
		logf.FlushLogs()
		os.Exit(1)
	}
}
