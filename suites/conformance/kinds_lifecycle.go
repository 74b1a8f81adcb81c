package conformance

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"

	"github.com/dmsconform/dmsconform/spec"
)

func init() {
	registerKind("lifecycle-start", checkLifecycleStart)
	registerKind("lifecycle-progress", checkLifecycleProgress)
	registerKind("lifecycle-cancel", checkLifecycleCancel)
	registerKind("lifecycle-echo-request-identifier", checkEchoRequestID)
	registerKind("lifecycle-project-arn", checkProjectARN)
	registerKind("lifecycle-canceled", checkLifecycleCanceled)
	registerKind("lifecycle-second-cancel", checkSecondCancel)
	registerKind("lifecycle-status-transitions", checkStatusTransitions)
}

// lifecycle is the state an Ordered lifecycle container passes from check to check.
type lifecycle struct {
	id        string
	arn       string // MigrationProjectArn seen by describe
	cancel    *Sample
	described *Sample
}

func (c *C) lifecycle() *lifecycle {
	l, _ := memoize(c.S, "lifecycle/"+c.Check.Family, func() (*lifecycle, error) { return &lifecycle{}, nil })
	return l
}

func (c *C) lifecycleStarted() *lifecycle {
	l := c.lifecycle()
	if l.id == "" {
		c.Skipf("the lifecycle's start did not succeed, so there is no request to follow")
	}
	return l
}

func checkLifecycleStart(c *C) {
	id, err := c.S.StartRequest(c.Ctx, c.Check.Family, "lifecycle: start")
	if err != nil {
		c.Fatal(err)
	}
	c.lifecycle().id = id
}

func checkLifecycleProgress(c *C) {
	l := c.lifecycleStarted()
	o := &Observations{Steps: map[string][]string{}, Statuses: map[string][]string{}}
	var last map[string]any
	err := c.S.pollUntil(c.Ctx, o, c.Check.Family, l.id, nil, func(r map[string]any) bool {
		last = r
		return str(r["Status"]) == "IN_PROGRESS" && r["Progress"] != nil || terminal(r)
	})
	for _, smp := range o.Describes {
		c.Attach(smp.Wire.Exchange)
	}
	if err != nil {
		c.Fatal(err)
	}
	final := o.Describes[len(o.Describes)-1]
	l.described = final
	if reqs := requestsOf(final.Wire.Object()); len(reqs) != 1 {
		c.Failf("describing with the filter request-id=%s returned %d requests, want exactly that one", l.id, len(reqs))
	}
	l.arn = str(last["MigrationProjectArn"])
	if terminal(last) {
		c.Skipf("request %s was already %s before it could be seen running (statuses %s)", l.id, str(last["Status"]), strings.Join(o.Statuses[l.id], " -> "))
	}
	p, _ := last["Progress"].(map[string]any)
	if step := str(p["ProgressStep"]); step == "" {
		c.Failf("request %s is IN_PROGRESS but its Progress has no ProgressStep: %s", l.id, show(p))
	}
}

func checkLifecycleCancel(c *C) {
	l := c.lifecycleStarted()
	smp, err := c.S.Cancel(c.Ctx, c.Check.Family, l.id, "lifecycle: cancel", c.S.SDK)
	if err != nil {
		c.Fatal(err)
	}
	if smp.Wire != nil {
		c.Attach(smp.Wire.Exchange)
	}
	if smp.SDKErr != nil {
		if why := unimplementedReason(smp.Wire); why != "" {
			c.Unimplementedf("%s", why)
		}
		c.Failf("cancelling running request %s failed: %v", l.id, smp.SDKErr)
	}
	l.cancel = smp
	req, ok := smp.Wire.Object()["Request"].(map[string]any)
	if !ok {
		c.Failf("the cancel of a running request answered without a Request object: %s", truncate(string(smp.Wire.Body), 300))
	}
	st := str(req["Status"])
	if st != "CANCELING" && st != "CANCELED" {
		c.Failf("the cancel of a running request answered Status %q, want CANCELING (or CANCELED)", st)
	}
}

func (c *C) cancelRequest() map[string]any {
	l := c.lifecycleStarted()
	if l.cancel == nil {
		c.Skipf("the lifecycle's cancel did not succeed")
	}
	c.Attach(l.cancel.Wire.Exchange)
	req, ok := l.cancel.Wire.Object()["Request"].(map[string]any)
	if !ok {
		c.Failf("the cancel response has no Request object: %s", truncate(string(l.cancel.Wire.Body), 300))
	}
	return req
}

func checkEchoRequestID(c *C) {
	req := c.cancelRequest()
	l := c.lifecycle()
	if got := str(req["RequestIdentifier"]); got != l.id {
		c.Failf("the cancel response's Request.RequestIdentifier is %q, want the cancelled request %q", got, l.id)
	}
}

var arnRe = regexp.MustCompile(`^arn:aws[a-z-]*:dms:[a-z0-9-]+:\d{12}:migration-project:[A-Za-z0-9-]+$`)

func checkProjectARN(c *C) {
	req := c.cancelRequest()
	l := c.lifecycle()
	got := str(req["MigrationProjectArn"])
	fromControl := c.projectARNFromControl()
	switch {
	case got == "":
		c.Failf("the cancel response has no Request.MigrationProjectArn")
	case !arnRe.MatchString(got):
		c.Failf("Request.MigrationProjectArn %q is not a migration project ARN (arn:aws:dms:<region>:<account>:migration-project:<id>)", got)
	case strings.HasPrefix(c.S.Project, "arn:") && got != c.S.Project:
		c.Failf("Request.MigrationProjectArn is %q, but the request was made in project %q", got, c.S.Project)
	case fromControl != "" && got != fromControl:
		c.Failf("Request.MigrationProjectArn is %q, but the target's control surface says project %q has ARN %q", got, c.S.Project, fromControl)
	case l.arn != "" && got != l.arn:
		c.Failf("Request.MigrationProjectArn is %q, but %s says the request belongs to %q", got, c.S.Model.FamilyOperation(c.Check.Family, spec.RoleDescribe).Name, l.arn)
	}
}

// waiters binds each describe operation to the SDK's "cancelled" waiter. A family
// without one is polled by the harness itself.
var waiters = map[string]func(ctx context.Context, client *dms.Client, project, id string, maxWait, minDelay, maxDelay time.Duration) error{
	"DescribeMetadataModelConversions": func(ctx context.Context, client *dms.Client, project, id string, maxWait, minDelay, maxDelay time.Duration) error {
		w := dms.NewMetadataModelConversionCancelledWaiter(client, func(o *dms.MetadataModelConversionCancelledWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, maxDelay
		})
		return w.Wait(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(project),
			Filters: []types.Filter{{Name: aws.String("request-id"), Values: []string{id}}}}, maxWait)
	},
	"DescribeMetadataModelCreations": func(ctx context.Context, client *dms.Client, project, id string, maxWait, minDelay, maxDelay time.Duration) error {
		w := dms.NewMetadataModelCreationCancelledWaiter(client, func(o *dms.MetadataModelCreationCancelledWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, maxDelay
		})
		return w.Wait(ctx, &dms.DescribeMetadataModelCreationsInput{MigrationProjectIdentifier: aws.String(project),
			Filters: []types.Filter{{Name: aws.String("request-id"), Values: []string{id}}}}, maxWait)
	},
}

func checkLifecycleCanceled(c *C) {
	c.cancelRequest()
	l := c.lifecycle()
	describe := c.S.Model.FamilyOperation(c.Check.Family, spec.RoleDescribe)
	ctx, sk := withSink(c.Ctx, "lifecycle: wait for CANCELED")
	var err error
	if w, ok := waiters[describe.Name]; ok {
		err = w(ctx, c.S.SDK, c.S.Project, l.id, c.S.Cfg.LifecycleTimeout, c.S.Cfg.MinDelay, c.S.Cfg.MaxDelay)
	} else {
		o := &Observations{Steps: map[string][]string{}, Statuses: map[string][]string{}}
		err = c.S.pollUntil(ctx, o, c.Check.Family, l.id, nil, terminal)
		if err == nil && o.Statuses[l.id][len(o.Statuses[l.id])-1] != "CANCELED" {
			err = fmt.Errorf("request ended %s", o.Statuses[l.id][len(o.Statuses[l.id])-1])
		}
	}
	exs := sk.all()
	if len(exs) > 4 {
		exs = append(exs[:2], exs[len(exs)-2:]...)
	}
	c.Attach(exs...)
	if err != nil {
		if isSDKTransportError(err) {
			c.Errorf("%v", err)
		}
		c.Failf("request %s did not reach CANCELED (the SDK's %s cancelled waiter, up to %s): %v", l.id, describe.Name, c.S.Cfg.LifecycleTimeout, err)
	}
}

func checkSecondCancel(c *C) {
	c.cancelRequest()
	l := c.lifecycle()
	smp, err := c.S.Cancel(c.Ctx, c.Check.Family, l.id, "lifecycle: cancel again", c.S.SDK)
	if err != nil {
		c.Fatal(err)
	}
	c.Attach(smp.Wire.Exchange)
	var irs *types.InvalidResourceStateFault
	if !errors.As(smp.SDKErr, &irs) {
		var ae smithy.APIError
		if errors.As(smp.SDKErr, &ae) {
			c.Failf("cancelling the CANCELED request %s gave %s (%q), want InvalidResourceStateFault", l.id, ae.ErrorCode(), ae.ErrorMessage())
		}
		c.Failf("cancelling the CANCELED request %s gave HTTP %d and %v, want InvalidResourceStateFault", l.id, smp.Wire.Status, smp.SDKErr)
	}
}

// allowedNext is the documented lifecycle: RECEIVED -> IN_PROGRESS -> SUCCESS | FAILED,
// and a cancel moves RECEIVED/IN_PROGRESS to CANCELING -> CANCELED.
var allowedNext = map[string][]string{
	"RECEIVED":    {"IN_PROGRESS", "SUCCESS", "FAILED", "CANCELING", "CANCELED"},
	"IN_PROGRESS": {"SUCCESS", "FAILED", "CANCELING", "CANCELED"},
	"CANCELING":   {"CANCELED"},
	"SUCCESS":     {},
	"FAILED":      {},
	"CANCELED":    {},
}

func checkStatusTransitions(c *C) {
	o := c.observe()
	vs := c.S.Model.ValueSets[c.Param("set")]
	var problems []string
	checked := 0
	for id, sts := range o.Statuses {
		prev := ""
		for _, st := range sts {
			if vs != nil && !vs.Contains(st) {
				continue // enum-documented reports it
			}
			if prev != "" {
				checked++
				if !slices.Contains(allowedNext[prev], st) {
					problems = append(problems, fmt.Sprintf("request %s went %s -> %s (observed %s)", id, prev, st, strings.Join(sts, " -> ")))
					break
				}
			}
			prev = st
		}
	}
	if checked == 0 {
		c.Skipf("no request was seen change status")
	}
	if len(o.Describes) > 0 {
		c.Attach(o.Describes[0].Wire.Exchange)
	}
	c.FailIf(sortedStrings(problems), "status transitions outside the documented lifecycle")
}

// projectARNFromControl returns the project's ARN as an emulator's control surface
// reports it ("" without a control surface): an account of the ARN independent of the
// responses under test.
func (c *C) projectARNFromControl() string {
	if c.S.Control == nil {
		return ""
	}
	arn, _ := memoize(c.S, "control/project-arn", func() (string, error) {
		info, err := c.S.Control.Info(c.Ctx)
		if err != nil {
			return "", err
		}
		for _, p := range info.Projects {
			if p.Name == c.S.Project || p.ARN == c.S.Project {
				return p.ARN, nil
			}
		}
		return "", nil
	})
	return arn
}
