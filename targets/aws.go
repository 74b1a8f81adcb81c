package targets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dmsconform/dmsconform/suites/engine"
	"github.com/dmsconform/dmsconform/suites/gosdk"
)

// AWS is real DMS through the SDK's default credential chain (--profile, env, SSO,
// role). It refuses accounts not on --allow-account, its starts cost (one replacement
// per lifecycle walk), and it never has a control surface. --denied-profile names a
// principal denied the cancel operations.
type AWS struct {
	cfg engine.Config
}

// awsNever: real DMS has no control surface, whatever is configured.
var awsNever = []engine.Capability{engine.CapControl}

var accountRe = regexp.MustCompile(`^[0-9]{12}$`)

// NewAWS builds the aws target of cfg, refusing what cannot run.
func NewAWS(cfg engine.Config) (*AWS, error) {
	c := cfg.Resolve()
	if c.Project == "" {
		return nil, bad("--project is required for --target aws: pass the migration project name or ARN")
	}
	if len(c.AllowAccounts) == 0 {
		return nil, bad("--allow-account is required for --target aws: pass the sandbox account id(s) this run may touch (or set %s)", engine.SettingOf("allow-account").Env)
	}
	for _, a := range c.AllowAccounts {
		if !accountRe.MatchString(a) {
			return nil, bad("--allow-account %q is not an AWS account id: an account id has exactly 12 digits, e.g. 123456789012", a)
		}
	}
	return &AWS{cfg: c}, nil
}

// TargetKind implements engine.Target.
func (*AWS) TargetKind() string { return engine.TargetAWS }

// Connect implements engine.Target: it loads the SDK's configuration, checks that the
// credentials work and that their account is on the allowlist (STS GetCallerIdentity).
// AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE is honoured.
func (t *AWS) Connect(ctx context.Context) (*engine.Connection, error) {
	c := t.cfg
	// The SDK's own clients (STS for the account guard, the credential providers: SSO,
	// web identity, assumed roles) never follow a redirect either: a redirected call
	// would carry signed credentials to a place nobody configured.
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithHTTPClient(noRedirectClient())}
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(c.Profile))
	}
	ac, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, bad("loading AWS configuration (profile %q): %w: configure the profile, SSO or AWS_* variables", c.Profile, err)
	}
	if ac.Region == "" {
		return nil, bad("no AWS region: pass --region or set AWS_REGION")
	}
	if _, err := ac.Credentials.Retrieve(ctx); err != nil {
		return nil, bad("no usable AWS credentials (profile %q): %w: run aws sso login, set a profile or the AWS_* variables", c.Profile, err)
	}
	if err := checkAccount(ctx, ac, c.AllowAccounts); err != nil {
		return nil, err
	}
	conn := &engine.Connection{Region: ac.Region, Credentials: ac.Credentials, AWS: &ac, StartsCost: true,
		Endpoint:     fmt.Sprintf("https://dms.%s.amazonaws.com", ac.Region),
		Capabilities: engine.Capabilities{Never: awsNever, FailingProject: c.FailingProject}}
	// Where the SDK sends its calls (an endpoint override included) is where the raw
	// calls go too.
	if ep := gosdk.NewClientFromConfig(ac, ac.Credentials, nil).Options().BaseEndpoint; ep != nil {
		conn.Endpoint = *ep
	}
	if c.DeniedProfile != "" {
		dc, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(ac.Region), awsconfig.WithSharedConfigProfile(c.DeniedProfile),
			awsconfig.WithHTTPClient(noRedirectClient()))
		if err != nil {
			return nil, bad("loading the denied principal's profile %q: %w", c.DeniedProfile, err)
		}
		conn.Capabilities.Denied = dc.Credentials
	}
	return conn, nil
}

// AccountError says the caller's account is not on the allowlist (exit 2).
type AccountError struct {
	Account string
	Allowed []string
}

// Error names the accounts by their last four digits: enough to tell them apart, and
// nothing the redaction boundary has to hide.
func (e *AccountError) Error() string {
	allowed := make([]string, len(e.Allowed))
	for i, a := range e.Allowed {
		allowed[i] = MaskAccount(a)
	}
	return fmt.Sprintf("refusing to run: the credentials belong to account %s, which is not in --allow-account (%s); pass the sandbox account id to --allow-account or use credentials of an allowed account",
		MaskAccount(e.Account), strings.Join(allowed, ","))
}

// MaskAccount shows an account id by its last four digits (********7777).
func MaskAccount(id string) string {
	if len(id) <= 4 {
		return id
	}
	return strings.Repeat("*", len(id)-4) + id[len(id)-4:]
}

func checkAccount(ctx context.Context, ac aws.Config, allowed []string) error {
	out, err := sts.NewFromConfig(ac).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return &engine.CredentialError{Op: "sts GetCallerIdentity", Code: "the account cannot be checked against --allow-account", Detail: err.Error()}
	}
	acct := aws.ToString(out.Account)
	if !slices.Contains(allowed, acct) {
		return &AccountError{Account: acct, Allowed: allowed}
	}
	return nil
}

// noRedirectClient is the HTTP client of the SDK's own calls on the aws target (STS,
// credential providers): the SDK's own buildable client (the config loader adds
// AWS_CA_BUNDLE to it, and accepts no other type), whose transport refuses to send a
// request that a redirect created. http.Client follows redirects itself and the
// buildable client has no CheckRedirect; a redirected request carries the answer that
// caused it (Request.Response), and the transport's proxy hook sees every request
// before a connection is chosen.
func noRedirectClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		proxy := tr.Proxy
		tr.Proxy = func(r *http.Request) (*url.URL, error) {
			if r.Response != nil {
				return nil, fmt.Errorf("the answer was a redirect (HTTP %d) to %s: not followed (nothing was sent there)", r.Response.StatusCode, r.URL.Redacted())
			}
			if proxy == nil {
				return nil, nil
			}
			return proxy(r)
		}
	})
}
