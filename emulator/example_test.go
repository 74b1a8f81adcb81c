package emulator_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"

	"github.com/dmsconform/dmsconform/emulator"
)

// Start an emulator on a virtual clock, point the real SDK at it, and walk a
// conversion through a cancel.
func ExampleStart() {
	srv, err := emulator.Start(emulator.Config{Clock: emulator.NewVirtualClock(time.Time{})})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := dms.New(dms.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       srv.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKeyID, srv.SecretAccessKey, ""),
	})
	ctx := context.Background()
	start, err := c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject), SelectionRules: aws.String(`{"rules":[]}`)})
	if err != nil {
		log.Fatal(err)
	}
	srv.Clock.Advance(emulator.DefaultStepDuration) // RECEIVED → IN_PROGRESS, LOADING_METADATA
	out, err := c.CancelMetadataModelConversion(ctx, &dms.CancelMetadataModelConversionInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject), RequestIdentifier: start.RequestIdentifier})
	if err != nil {
		log.Fatal(err)
	}
	// A cancel answers CANCELING, without Progress.
	fmt.Println(aws.ToString(out.Request.Status), out.Request.Progress == nil)
	srv.Clock.Advance(emulator.DefaultStepDuration) // one step after the cancel
	desc, err := c.DescribeMetadataModelConversions(ctx, &dms.DescribeMetadataModelConversionsInput{
		MigrationProjectIdentifier: aws.String(emulator.DefaultProject)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(desc.Requests[0].Status))
	// Output:
	// CANCELING true
	// CANCELED
}
