// The cert-manager webhook for the engine proof, wired from cert-manager's own packages (its
// cmd/ modules are not on the Go module proxy): the configuration and flags of
// pkg/webhook/options, the server of internal/webhook (validation and mutation of
// cert-manager resources, CertificateRequest identity and approval checks). Built inside a
// copy of the cert-manager module, see test/engine/support/tools/cert-manager.ts.
//
// Flags: upstream's webhook flags (a superset of what the chart passes); anything else is
// refused, so a chart change shows up as a start failure. In-cluster configuration unless
// --kubeconfig is given.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	_ "github.com/cert-manager/cert-manager/internal/webhook/feature"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"
)

func fail(status int, err error) {
	fmt.Fprintf(os.Stderr, "cert-manager-webhook: %v\n", err)
	os.Exit(status)
}

func main() {
	config, err := options.NewWebhookConfiguration()
	if err != nil {
		fail(1, err)
	}
	fs := pflag.NewFlagSet("cert-manager-webhook", pflag.ContinueOnError)
	options.AddConfigFlags(fs, config)
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			os.Exit(0)
		}
		fail(2, err)
	}
	if fs.NArg() > 0 {
		fail(2, fmt.Errorf("unexpected arguments: %v", fs.Args()))
	}
	if *version {
		fmt.Printf("cert-manager-webhook %s (%s)\n", util.AppVersion, util.AppGitCommit)
		return
	}
	if errs := validation.ValidateWebhookConfiguration(config, nil); len(errs) > 0 {
		fail(2, errs.ToAggregate())
	}
	logf.InitLogs()
	if err := logf.ValidateAndApply(&config.Logging); err != nil {
		fail(2, err)
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(config.FeatureGates); err != nil {
		fail(2, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := logf.Log.WithName("cert-manager-webhook")
	ctx = logf.NewContext(ctx, log)
	server, err := cmwebhook.NewCertManagerWebhookServer(log, *config)
	if err != nil {
		fail(1, err)
	}
	if err := server.Run(ctx); err != nil {
		log.Error(err, "webhook server stopped")
		logf.FlushLogs()
		os.Exit(1)
	}
}
