// The cert-manager controller for the engine proof, wired from cert-manager's own packages
// (its cmd/ modules are not on the Go module proxy). Built inside a copy of the
// github.com/cert-manager/cert-manager module (internal/ packages are importable only from
// there), see test/engine/support/tools/cert-manager.ts.
//
// Compiled in: what this deployment uses — Issuers and ClusterIssuers with the self-signed and
// CA issuer types, the CertificateRequest approver and signers for those two types, and the
// Certificate controllers. ACME, Vault and Venafi are left out (the ACME flags the chart
// passes are accepted and go unused).
//
// Flags: those the cert-manager chart passes with this project's values, plus --kubeconfig,
// --metrics-listen-address and --healthz-listen-address for running outside a pod; any
// other flag is refused, so a chart change shows up as a start failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"

	crapprover "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	certificatesmetrics "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// The controllers this binary runs, each registered by its package's init().
var controllers = []string{
	issuers.ControllerName,
	clusterissuers.ControllerName,
	crapprover.ControllerName,
	crselfsigned.CRControllerName,
	crca.CRControllerName,
	trigger.ControllerName,
	issuing.ControllerName,
	keymanager.ControllerName,
	requestmanager.ControllerName,
	readiness.ControllerName,
	revisionmanager.ControllerName,
	certificatesmetrics.ControllerName,
}

// The Lease the chart's leader-election Role names.
const leaseName = "cert-manager-controller"

// Upstream's defaults for the settings the chart leaves alone.
const (
	workers       = 5
	leaseDuration = 60 * time.Second
	renewDeadline = 40 * time.Second
	retryPeriod   = 15 * time.Second
	leaderTimeout = 20 * time.Second
)

type settings struct {
	kubeconfig               string
	clusterResourceNamespace string
	leaderElectionNamespace  string
	acmeSolverImage          string
	maxConcurrentChallenges  int
	enableOwnerRef           bool
	metricsAddress           string
	healthzAddress           string
	logging                  *logsapi.LoggingConfiguration
	version                  bool
}

func parse(args []string) (settings, error) {
	s := settings{logging: logsapi.NewLoggingConfiguration()}
	fs := pflag.NewFlagSet("cert-manager-controller", pflag.ContinueOnError)
	fs.StringVar(&s.kubeconfig, "kubeconfig", "", "kubeconfig file; in-cluster configuration (service account token, KUBERNETES_SERVICE_HOST/PORT) when empty")
	fs.StringVar(&s.clusterResourceNamespace, "cluster-resource-namespace", "kube-system", "namespace of the Secrets ClusterIssuers refer to")
	fs.StringVar(&s.leaderElectionNamespace, "leader-election-namespace", "kube-system", "namespace of the leader-election Lease "+leaseName)
	fs.StringVar(&s.acmeSolverImage, "acme-http01-solver-image", "", "ACME HTTP-01 solver image (ACME is not compiled into this build)")
	fs.IntVar(&s.maxConcurrentChallenges, "max-concurrent-challenges", 60, "ACME challenges processed at once (ACME is not compiled into this build)")
	fs.BoolVar(&s.enableOwnerRef, "enable-certificate-owner-ref", false, "a Certificate's Secret is owned by it (deleted with it)")
	fs.StringVar(&s.metricsAddress, "metrics-listen-address", "0.0.0.0:9402", "metrics endpoint address; 0 disables it")
	fs.StringVar(&s.healthzAddress, "healthz-listen-address", "0.0.0.0:9403", "liveness endpoint (/livez) address")
	fs.BoolVar(&s.version, "version", false, "print the version and exit")
	logf.AddFlagsNonDeprecated(s.logging, fs)
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return s, nil
}

func contextOptions(s settings) controller.ContextOptions {
	return controller.ContextOptions{
		Kubeconfig:         s.kubeconfig,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		IssuerOptions: controller.IssuerOptions{
			ClusterResourceNamespace:        s.clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
		},
		ACMEOptions: controller.ACMEOptions{
			HTTP01SolverImage:                 s.acmeSolverImage,
			HTTP01SolverResourceRequestCPU:    resource.MustParse("10m"),
			HTTP01SolverResourceRequestMemory: resource.MustParse("64Mi"),
			HTTP01SolverResourceLimitsCPU:     resource.MustParse("100m"),
			HTTP01SolverResourceLimitsMemory:  resource.MustParse("64Mi"),
			ACMEHTTP01SolverRunAsNonRoot:      true,
			DNS01CheckRetryPeriod:             10 * time.Second,
		},
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:                           s.enableOwnerRef,
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
		SchedulerOptions: controller.SchedulerOptions{MaxConcurrentChallenges: s.maxConcurrentChallenges},
	}
}

// serve runs server on address until ctx ends; "0" or "" means not at all.
func serve(ctx context.Context, address string, server func(net.Listener) *http.Server, wg *sync.WaitGroup) error {
	if address == "0" || address == "" {
		return nil
	}
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	running := server(listener)
	wg.Go(func() { _ = running.Serve(listener) })
	wg.Go(func() {
		<-ctx.Done()
		_ = running.Close()
	})
	return nil
}

// runControllers builds every controller (registering their informers), starts the informers
// and runs the controllers until ctx ends.
func runControllers(ctx context.Context, factory *controller.ContextFactory, metricsAddress string) error {
	known := controller.Known()
	var running sync.WaitGroup
	errs := make(chan error, len(controllers))
	for _, name := range controllers {
		construct, ok := known[name]
		if !ok {
			return fmt.Errorf("controller %s is not compiled in", name)
		}
		iface, err := construct(factory)
		if err != nil {
			return fmt.Errorf("building controller %s: %w", name, err)
		}
		running.Go(func() {
			if err := iface.Run(workers, ctx); err != nil {
				errs <- fmt.Errorf("controller %s: %w", name, err)
			}
		})
	}
	shared, err := factory.Build()
	if err != nil {
		return err
	}
	// After the controllers: the metrics controller adds its collectors to the registry the server exposes.
	if err := serve(ctx, metricsAddress, shared.Metrics.NewServer, &running); err != nil {
		return fmt.Errorf("metrics server: %w", err)
	}
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.Start(ctx.Done())
	shared.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	running.Wait()
	close(errs)
	return errors.Join(func() []error {
		var all []error
		for err := range errs {
			all = append(all, err)
		}
		return all
	}()...)
}

func run(ctx context.Context, s settings) error {
	log := logf.FromContext(ctx)
	factory, err := controller.NewContextFactory(ctx, contextOptions(s))
	if err != nil {
		return err
	}
	shared, err := factory.Build("leader-election")
	if err != nil {
		return err
	}
	var servers sync.WaitGroup
	defer servers.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	leaderHealth := leaderelection.NewLeaderHealthzAdaptor(leaderTimeout)
	livez := http.NewServeMux()
	livez.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {
		if err := leaderHealth.Check(r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	if err := serve(ctx, s.healthzAddress, func(net.Listener) *http.Server { return &http.Server{Handler: livez, ReadHeaderTimeout: 10 * time.Second} }, &servers); err != nil {
		return fmt.Errorf("healthz server: %w", err)
	}

	hostname, err := os.Hostname()
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(shared.RESTConfig)
	if err != nil {
		return err
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, s.leaderElectionNamespace, leaseName, client.CoreV1(), client.CoordinationV1(),
		resourcelock.ResourceLockConfig{Identity: hostname + "-" + string(uuid.NewUUID()), EventRecorder: shared.Recorder})
	if err != nil {
		return err
	}
	var result error
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   leaseDuration,
		RenewDeadline:   renewDeadline,
		RetryPeriod:     retryPeriod,
		WatchDog:        leaderHealth,
		ReleaseOnCancel: true,
		Name:            leaseName,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leading context.Context) {
				log.Info("leading: starting controllers", "controllers", controllers)
				result = runControllers(leading, factory, s.metricsAddress)
				cancel()
			},
			OnStoppedLeading: func() {
				if ctx.Err() == nil {
					result = errors.New("lost the leader election")
				}
				cancel()
			},
		},
	})
	return result
}

func main() {
	s, err := parse(os.Args[1:])
	if errors.Is(err, pflag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager-controller: %v\n", err)
		os.Exit(2)
	}
	if s.version {
		fmt.Printf("cert-manager-controller %s (%s)\n", util.AppVersion, util.AppGitCommit)
		return
	}
	logf.InitLogs()
	if err := logf.ValidateAndApply(s.logging); err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager-controller: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "cert-manager-controller")
	if err := run(ctx, s); err != nil {
		logf.Log.Error(err, "cert-manager-controller stopped")
		logf.FlushLogs()
		os.Exit(1)
	}
}
