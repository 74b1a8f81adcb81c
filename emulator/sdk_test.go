package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

func startConv(t *testing.T, c *dms.Client, project string) string {
	t.Helper()
	out, err := c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(project), SelectionRules: aws.String(`{"rules":[]}`)})
	if err != nil {
		t.Fatalf("StartMetadataModelConversion: %v", err)
	}
	return aws.ToString(out.RequestIdentifier)
}

func describeConv(t *testing.T, c *dms.Client, project, id string) types.SchemaConversionRequest {
	t.Helper()
	out, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(project),
		Filters:                    []types.Filter{{Name: aws.String("request-id"), Values: []string{id}}}})
	if err != nil {
		t.Fatalf("DescribeMetadataModelConversions: %v", err)
	}
	if len(out.Requests) != 1 {
		t.Fatalf("describe %s: %d requests, want 1", id, len(out.Requests))
	}
	return out.Requests[0]
}

func progressOf(r types.SchemaConversionRequest) (step string, pct float64, total int64) {
	if r.Progress == nil {
		return "", -1, 0
	}
	return aws.ToString(r.Progress.ProgressStep), aws.ToFloat64(r.Progress.ProgressPercent), r.Progress.TotalObjects
}

func TestSDKLifecycleSuccess(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	id := startConv(t, c, DefaultProject)
	if len(id) != 36 {
		t.Fatalf("RequestIdentifier %q is not a UUID", id)
	}
	r := describeConv(t, c, DefaultProject, id)
	if aws.ToString(r.Status) != StatusReceived || r.Progress != nil {
		t.Fatalf("at t0: status %q progress %+v, want RECEIVED without Progress", aws.ToString(r.Status), r.Progress)
	}
	if got, want := aws.ToString(r.MigrationProjectArn), s.Emulator.ProjectARN(DefaultProject); got != want || !strings.HasPrefix(got, "arn:aws:dms:us-east-1:123456789012:migration-project:") {
		t.Fatalf("MigrationProjectArn %q, want %q", got, want)
	}
	steps := []struct {
		at      time.Duration
		step    string
		pct     float64
		total   bool
		obj     string // endpoint type, "" = none
		status  string
		noError bool
	}{
		{1 * testStep, StepLoadingMetadata, 0, false, "", StatusInProgress, true},
		{1*testStep + testStep/2, StepLoadingMetadata, 50, false, "", StatusInProgress, true},
		{2 * testStep, StepCountingObjects, 0, false, "", StatusInProgress, true},
		{3*testStep + testStep/4, StepAnalyzing, 25, true, "SOURCE", StatusInProgress, true},
		// EndpointType SOURCE during CONVERTING, as the AWS CLI examples show.
		{4*testStep + 9*testStep/10, StepConverting, 90, true, "SOURCE", StatusInProgress, true},
		// SUCCESS carries no Progress (the CLI examples).
		{5 * testStep, "", -1, false, "", StatusSuccess, true},
		{50 * testStep, "", -1, false, "", StatusSuccess, true},
	}
	var total int64
	elapsed := time.Duration(0)
	for _, st := range steps {
		s.Clock.Advance(st.at - elapsed)
		elapsed = st.at
		r := describeConv(t, c, DefaultProject, id)
		step, pct, tot := progressOf(r)
		if aws.ToString(r.Status) != st.status || step != st.step || pct != st.pct {
			t.Fatalf("at %v: %s %s %v%%, want %s %s %v%%", st.at, aws.ToString(r.Status), step, pct, st.status, st.step, st.pct)
		}
		if st.total != (tot > 0) {
			t.Fatalf("at %v: TotalObjects %d, want set=%v", st.at, tot, st.total)
		}
		if tot > 0 {
			if total != 0 && tot != total {
				t.Fatalf("TotalObjects changed from %d to %d", total, tot)
			}
			total = tot
		}
		var po *types.ProcessedObject
		if r.Progress != nil {
			po = r.Progress.ProcessedObject
		}
		if (st.obj == "") != (po == nil) || (po != nil && (aws.ToString(po.EndpointType) != st.obj || aws.ToString(po.Name) == "" || aws.ToString(po.Type) == "")) {
			t.Fatalf("at %v: ProcessedObject %+v, want endpoint %q", st.at, po, st.obj)
		}
		if po != nil && aws.ToString(po.Type) != strings.ToLower(aws.ToString(po.Type)) {
			t.Fatalf("at %v: ProcessedObject.Type %q, want lower case as DMS sends it (\"table\")", st.at, aws.ToString(po.Type))
		}
		if r.Error != nil {
			t.Fatalf("at %v: unexpected Error %#v", st.at, r.Error)
		}
	}
}

func TestSDKLifecycleFailedProject(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	id := startConv(t, c, FailingProject)
	// A simulated failure ends the request at the end of LOADING_METADATA.
	s.Clock.Advance(2*testStep - 1)
	if r := describeConv(t, c, FailingProject, id); aws.ToString(r.Status) != StatusInProgress || r.Progress == nil || aws.ToString(r.Progress.ProgressStep) != StepLoadingMetadata {
		t.Fatalf("just before 2 steps: %s %+v, want IN_PROGRESS LOADING_METADATA", aws.ToString(r.Status), r.Progress)
	}
	s.Clock.Advance(1)
	r := describeConv(t, c, FailingProject, id)
	if aws.ToString(r.Status) != StatusFailed || r.Progress != nil {
		t.Fatalf("status %s progress %+v, want FAILED without Progress", aws.ToString(r.Status), r.Progress)
	}
	de, ok := r.Error.(*types.ErrorDetailsMemberDefaultErrorDetails)
	if !ok || aws.ToString(de.Value.Message) != DefaultFailMessage {
		t.Fatalf("Error %#v, want defaultErrorDetails with %q", r.Error, DefaultFailMessage)
	}
	// a failed request cannot be canceled
	_, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(FailingProject), RequestIdentifier: aws.String(id)})
	var irs *types.InvalidResourceStateFault
	if !errors.As(err, &irs) {
		t.Fatalf("cancel of FAILED: %v, want InvalidResourceStateFault", err)
	}
}

func TestSDKCancelAndFaults(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	denied := sdkClient(s, DeniedAccessKeyID, DeniedSecretAccessKey)
	id := startConv(t, c, DefaultProject)
	s.Clock.Advance(3*testStep + testStep/2)

	cancel := func(c *dms.Client, project, id string) (*dms.CancelMetadataModelConversionOutput, error) {
		return c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
			MigrationProjectIdentifier: aws.String(project), RequestIdentifier: aws.String(id)})
	}
	// denied principal: IAM's AccessDeniedException (not modelled: the SDK's generic
	// API error), worded as AWS words it
	if _, err := cancel(denied, DefaultProject, id); !isAccessDeniedException(err, "CancelMetadataModelConversion", s.Emulator.ProjectARN(DefaultProject)) {
		t.Fatalf("denied cancel: %v, want AccessDeniedException naming the principal, the action and the project", err)
	}
	// the denied key may still describe
	describeConv(t, denied, DefaultProject, id)

	out, err := cancel(c, s.Emulator.ProjectARN(DefaultProject), id) // by ARN
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if aws.ToString(out.Request.Status) != StatusCanceling || aws.ToString(out.Request.RequestIdentifier) != id {
		t.Fatalf("cancel answered %s %s, want CANCELING %s", aws.ToString(out.Request.Status), aws.ToString(out.Request.RequestIdentifier), id)
	}
	if out.Request.Progress != nil {
		t.Fatalf("cancel answered Progress %+v, want none (the AWS CLI examples)", out.Request.Progress)
	}
	s.Clock.Advance(testStep - 1)
	r := describeConv(t, c, DefaultProject, id)
	if aws.ToString(r.Status) != StatusCanceling || r.Progress != nil {
		t.Fatalf("before one step: %s %+v, want CANCELING without Progress", aws.ToString(r.Status), r.Progress)
	}
	s.Clock.Advance(1)
	if st := aws.ToString(describeConv(t, c, DefaultProject, id).Status); st != StatusCanceled {
		t.Fatalf("one step after cancel: %s, want CANCELED", st)
	}
	var irs *types.InvalidResourceStateFault
	if _, err := cancel(c, DefaultProject, id); !errors.As(err, &irs) {
		t.Fatalf("second cancel: %v, want InvalidResourceStateFault", err)
	}
	var rnf *types.ResourceNotFoundFault
	if _, err := cancel(c, DefaultProject, "00000000-0000-4000-8000-000000000000"); !errors.As(err, &rnf) {
		t.Fatalf("unknown request: %v, want ResourceNotFoundFault", err)
	}
	if _, err := cancel(c, "no-such-project", id); !errors.As(err, &rnf) {
		t.Fatalf("unknown project: %v, want ResourceNotFoundFault", err)
	}
	if _, err := cancel(c, FailingProject, id); !errors.As(err, &rnf) {
		t.Fatalf("request of another project: %v, want ResourceNotFoundFault", err)
	}
	// the family must match
	id2 := startConv(t, c, DefaultProject)
	_, err = c.CancelMetadataModelCreation(ctx, &dms.CancelMetadataModelCreationInput{
		MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id2)})
	if !errors.As(err, &rnf) {
		t.Fatalf("conversion id through CancelMetadataModelCreation: %v, want ResourceNotFoundFault", err)
	}
	// cancel while RECEIVED: no Progress, then CANCELED
	out, err = cancel(c, DefaultProject, id2)
	if err != nil || aws.ToString(out.Request.Status) != StatusCanceling || out.Request.Progress != nil {
		t.Fatalf("cancel of RECEIVED: %v %+v", err, out)
	}
	_, err = c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String("nope")})
	if !errors.As(err, &rnf) {
		t.Fatalf("describe unknown project: %v, want ResourceNotFoundFault", err)
	}
	_, err = c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{MigrationProjectIdentifier: aws.String("nope"), SelectionRules: aws.String("{}")})
	if !errors.As(err, &rnf) {
		t.Fatalf("start unknown project: %v, want ResourceNotFoundFault", err)
	}
}

func TestSDKCreationFamily(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	start, err := c.StartMetadataModelCreation(ctx, &dms.StartMetadataModelCreationInput{
		MigrationProjectIdentifier: aws.String(DefaultProject), SelectionRules: aws.String("{}"), MetadataModelName: aws.String("v1"),
		Properties: &types.MetadataModelPropertiesMemberStatementProperties{Value: types.StatementProperties{Definition: aws.String("create view v1 as select 1")}}})
	if err != nil {
		t.Fatalf("StartMetadataModelCreation: %v", err)
	}
	id := aws.ToString(start.RequestIdentifier)
	// the conversion family does not see it
	var rnf *types.ResourceNotFoundFault
	_, err = c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)})
	if !errors.As(err, &rnf) {
		t.Fatalf("creation id through CancelMetadataModelConversion: %v, want ResourceNotFoundFault", err)
	}
	conv, _ := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject)})
	if conv == nil || len(conv.Requests) != 0 {
		t.Fatalf("conversion describe sees creation requests: %+v", conv)
	}
	s.Clock.Advance(2 * testStep)
	out, err := c.CancelMetadataModelCreation(ctx, &dms.CancelMetadataModelCreationInput{MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)})
	if err != nil || aws.ToString(out.Request.Status) != StatusCanceling {
		t.Fatalf("CancelMetadataModelCreation: %v", err)
	}
	s.Clock.Advance(testStep)
	d, err := c.DescribeMetadataModelCreations(ctx, &dms.DescribeMetadataModelCreationsInput{MigrationProjectIdentifier: aws.String(DefaultProject)})
	if err != nil || len(d.Requests) != 1 || aws.ToString(d.Requests[0].Status) != StatusCanceled {
		t.Fatalf("DescribeMetadataModelCreations: %v %+v", err, d)
	}
	denied := sdkClient(s, DeniedAccessKeyID, DeniedSecretAccessKey)
	_, err = denied.CancelMetadataModelCreation(ctx, &dms.CancelMetadataModelCreationInput{MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)})
	if !isAccessDeniedException(err, "CancelMetadataModelCreation", s.Emulator.ProjectARN(DefaultProject)) {
		t.Fatalf("denied CancelMetadataModelCreation: %v, want AccessDeniedException", err)
	}
}

// isAccessDeniedException: err is IAM's denial as aws-sdk-go-v2 surfaces a code the
// operation does not model (a generic API error), in AWS's words.
func isAccessDeniedException(err error, action, resource string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != CodeAccessDeniedException {
		return false
	}
	if _, modelled := ae.(*types.AccessDeniedFault); modelled {
		return false
	}
	want := "User: arn:aws:sts::" + DefaultAccountID + ":assumed-role/dmsconform-denied/dmsconform is not authorized to perform: dms:" + action + " on resource: " + resource
	return ae.ErrorMessage() == want
}

func TestSDKDescribeFiltersAndPagination(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	var ids []string
	for range 5 {
		ids = append(ids, startConv(t, c, DefaultProject))
	}
	s.Clock.Advance(testStep)
	ids = append(ids, startConv(t, c, DefaultProject)) // still RECEIVED
	p := dms.NewDescribeMetadataModelConversionsPaginator(c, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(DefaultProject), MaxRecords: aws.Int32(4)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		for _, r := range out.Requests {
			got = append(got, aws.ToString(r.RequestIdentifier))
		}
	}
	if pages != 2 || fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("pagination: %d pages %v, want 2 pages %v", pages, got, ids)
	}
	out, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(DefaultProject),
		Filters:                    []types.Filter{{Name: aws.String("status"), Values: []string{StatusReceived}}}})
	if err != nil || len(out.Requests) != 1 || aws.ToString(out.Requests[0].RequestIdentifier) != ids[5] {
		t.Fatalf("status filter: %v %+v", err, out)
	}
	out, err = c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(DefaultProject),
		Filters: []types.Filter{{Name: aws.String("request-id"), Values: []string{ids[1], ids[3]}},
			{Name: aws.String("status"), Values: []string{StatusInProgress}}}})
	if err != nil || len(out.Requests) != 2 || out.Marker != nil {
		t.Fatalf("request-id+status filter: %v %+v", err, out)
	}
	for _, bad := range []*dms.DescribeMetadataModelConversionsInput{
		{MigrationProjectIdentifier: aws.String(DefaultProject), MaxRecords: aws.Int32(0)},
		{MigrationProjectIdentifier: aws.String(DefaultProject), MaxRecords: aws.Int32(101)},
		{MigrationProjectIdentifier: aws.String(DefaultProject), Marker: aws.String("garbage")},
		{MigrationProjectIdentifier: aws.String(DefaultProject), Filters: []types.Filter{{Name: aws.String("project"), Values: []string{"x"}}}},
	} {
		_, err := c.DescribeMetadataModelConversions(ctx, bad)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != CodeValidation {
			t.Errorf("describe %+v: %v, want ValidationException", bad, err)
		}
	}
}

func TestSDKCancelledWaiter(t *testing.T) {
	s := startServer(t, func(c *Config) { c.AutoAdvance = testStep / 3 })
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	id := startConv(t, c, DefaultProject)
	if _, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	w := dms.NewMetadataModelConversionCancelledWaiter(c, func(o *dms.MetadataModelConversionCancelledWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 5*time.Millisecond
	})
	err := w.Wait(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject),
		Filters: []types.Filter{{Name: aws.String("request-id"), Values: []string{id}}}}, 10*time.Second)
	if err != nil {
		t.Fatalf("MetadataModelConversionCancelled waiter: %v", err)
	}
}

func TestSDKCancelledWaiterWallClock(t *testing.T) {
	s := startServer(t, func(c *Config) { c.Clock = nil; c.StepDuration = 20 * time.Millisecond })
	if s.Clock != nil {
		t.Fatal("Server.Clock set on the wall clock")
	}
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	id := startConv(t, c, DefaultProject)
	if _, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(id)}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	err := dms.NewMetadataModelConversionCancelledWaiter(c).Wait(ctx, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(DefaultProject)}, 10*time.Second,
		func(o *dms.MetadataModelConversionCancelledWaiterOptions) {
			o.MinDelay, o.MaxDelay = 5*time.Millisecond, 10*time.Millisecond
		})
	if err != nil {
		t.Fatalf("waiter on the wall clock: %v", err)
	}
	// the Converted waiter fails fast on the failing project
	id = startConv(t, c, FailingProject)
	err = dms.NewMetadataModelConvertedWaiter(c).Wait(ctx, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(FailingProject)}, 10*time.Second,
		func(o *dms.MetadataModelConvertedWaiterOptions) {
			o.MinDelay, o.MaxDelay = 5*time.Millisecond, 10*time.Millisecond
		})
	if err == nil || !strings.Contains(err.Error(), "Failure") {
		t.Fatalf("Converted waiter on a failing request %s: %v, want a failure", id, err)
	}
}

func TestSDKScenarios(t *testing.T) {
	s := startServer(t, nil)
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	e := s.Emulator
	e.AddScenario(Scenario{Project: DefaultProject, Family: FamilyConversion, HoldAtStep: StepAnalyzing})
	held := startConv(t, c, DefaultProject)
	normal := startConv(t, c, DefaultProject) // the scenario was used up
	s.Clock.Advance(10 * testStep)
	r := describeConv(t, c, DefaultProject, held)
	if st, pct, _ := progressOf(r); aws.ToString(r.Status) != StatusInProgress || st != StepAnalyzing || pct != 0 {
		t.Fatalf("held request: %s %s %v", aws.ToString(r.Status), st, pct)
	}
	// one request at a time per project: the second waits behind the held one,
	// IN_PROGRESS without Progress (queued)
	if r := describeConv(t, c, DefaultProject, normal); aws.ToString(r.Status) != StatusInProgress || r.Progress != nil {
		t.Fatalf("queued request: %s %+v, want IN_PROGRESS without Progress", aws.ToString(r.Status), r.Progress)
	}
	// a held request can be canceled (not in its last step: it ends CANCELED), and the
	// queue moves on
	if _, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{MigrationProjectIdentifier: aws.String(DefaultProject), RequestIdentifier: aws.String(held)}); err != nil {
		t.Fatalf("cancel held: %v", err)
	}
	s.Clock.Advance(testStep)
	if st := aws.ToString(describeConv(t, c, DefaultProject, held).Status); st != StatusCanceled {
		t.Fatalf("held then canceled: %s", st)
	}
	if r := describeConv(t, c, DefaultProject, normal); aws.ToString(r.Status) != StatusInProgress || r.Progress == nil || aws.ToString(r.Progress.ProgressStep) != StepLoadingMetadata {
		t.Fatalf("the next request once the held one ended: %s %+v, want its LOADING_METADATA", aws.ToString(r.Status), r.Progress)
	}
	s.Clock.Advance(4 * testStep)
	if st := aws.ToString(describeConv(t, c, DefaultProject, normal).Status); st != StatusSuccess {
		t.Fatalf("second request: %s, want SUCCESS", st)
	}
	// a request-bound scenario overrides what is emitted
	e.AddScenario(Scenario{Request: normal, Status: "ARCHIVED", HoldAtStep: StepCountingObjects, ProgressStep: "TIDYING",
		ExportSqlDetails: &ExportSQL{S3ObjectKey: "k", ObjectURL: "https://example.invalid/k"}})
	r = describeConv(t, c, DefaultProject, normal)
	if st, _, _ := progressOf(r); aws.ToString(r.Status) != "ARCHIVED" || st != "TIDYING" || r.ExportSqlDetails == nil || aws.ToString(r.ExportSqlDetails.S3ObjectKey) != "k" {
		t.Fatalf("overrides: %+v", r)
	}
	e.ClearScenarios()
	e.AddScenario(Scenario{Count: 2, FailWith: "boom"})
	e.AddScenario(Scenario{UnknownUnionMember: "sqlErrorDetails"})
	f1, f2, f3 := startConv(t, c, DefaultProject), startConv(t, c, DefaultProject), startConv(t, c, DefaultProject)
	s.Clock.Advance(4 * testStep) // received, then one step each, one after the other
	for _, id := range []string{f1, f2} {
		r := describeConv(t, c, DefaultProject, id)
		de, ok := r.Error.(*types.ErrorDetailsMemberDefaultErrorDetails)
		if aws.ToString(r.Status) != StatusFailed || !ok || aws.ToString(de.Value.Message) != "boom" {
			t.Fatalf("failWith: %s %#v", aws.ToString(r.Status), r.Error)
		}
	}
	r = describeConv(t, c, DefaultProject, f3)
	if u, ok := r.Error.(*types.UnknownUnionMember); aws.ToString(r.Status) != StatusFailed || !ok || u.Tag != "sqlErrorDetails" {
		t.Fatalf("unknownUnionMember: %s %#v", aws.ToString(r.Status), r.Error)
	}
	e.Reset()
	out, _ := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(DefaultProject)})
	if out == nil || len(out.Requests) != 0 {
		t.Fatalf("after Reset: %+v", out)
	}
}

// TestParallelClients drives the emulator from many SDK clients at once (run with
// -race).
func TestParallelClients(t *testing.T) {
	s := startServer(t, func(c *Config) { c.AutoAdvance = time.Millisecond * 100 })
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
			project := []string{DefaultProject, FailingProject}[g%2]
			for range 10 {
				out, err := c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{MigrationProjectIdentifier: aws.String(project), SelectionRules: aws.String("{}")})
				if err != nil {
					errs <- err
					return
				}
				_, err = c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{MigrationProjectIdentifier: aws.String(project), RequestIdentifier: out.RequestIdentifier})
				var irs *types.InvalidResourceStateFault
				if err != nil && !errors.As(err, &irs) {
					errs <- err
					return
				}
				if _, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{MigrationProjectIdentifier: aws.String(project), MaxRecords: aws.Int32(5)}); err != nil {
					errs <- err
					return
				}
				if g == 0 {
					s.Emulator.AddScenario(Scenario{FailWith: "x"})
					_ = s.Emulator.SetDefects([]string{DefectNullMembers})
					_ = s.Emulator.State()
					_ = s.Emulator.SetDefects(nil)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
