package emulator

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
)

// A project configured with a start fault refuses the Start* operations that model the
// fault with it (the SDK decodes it as its typed error), and nothing else.
func TestProjectStartFault(t *testing.T) {
	s := startServer(t, func(c *Config) {
		c.Projects = []Project{{Name: "no-bucket", StartFault: CodeS3NotFound}, {Name: "bucket-denied", StartFault: CodeS3AccessDenied}, {Name: DefaultProject}}
	})
	c := sdkClient(s, s.AccessKeyID, s.SecretAccessKey)
	start := func(project string) error {
		_, err := c.StartMetadataModelConversion(ctx, &dms.StartMetadataModelConversionInput{
			MigrationProjectIdentifier: aws.String(project), SelectionRules: aws.String(`{"rules":[]}`)})
		return err
	}
	var notFound *types.S3ResourceNotFoundFault
	if err := start("no-bucket"); !errors.As(err, &notFound) || !strings.Contains(notFound.ErrorMessage(), "can't be found") {
		t.Errorf("start in no-bucket: %T %v, want *types.S3ResourceNotFoundFault with the model's text", err, err)
	}
	var denied *types.S3AccessDeniedFault
	if err := start("bucket-denied"); !errors.As(err, &denied) || !strings.Contains(denied.ErrorMessage(), "bucket-denied") {
		t.Errorf("start in bucket-denied: %T %v, want *types.S3AccessDeniedFault naming the project", err, err)
	}
	if err := start(DefaultProject); err != nil {
		t.Errorf("start in %s: %v", DefaultProject, err)
	}
	// StartMetadataModelCreation does not model the S3 faults: it starts as usual.
	if _, err := c.StartMetadataModelCreation(ctx, &dms.StartMetadataModelCreationInput{
		MigrationProjectIdentifier: aws.String("no-bucket"), SelectionRules: aws.String(`{"rules":[]}`), MetadataModelName: aws.String("m"),
		Properties: &types.MetadataModelPropertiesMemberStatementProperties{Value: types.StatementProperties{Definition: aws.String("select 1")}}}); err != nil {
		t.Errorf("StartMetadataModelCreation in no-bucket: %v, want a request (the operation does not model %s)", err, CodeS3NotFound)
	}
	info := s.Emulator.Info()
	if info.Projects[0].StartFault != CodeS3NotFound || info.Projects[2].StartFault != "" {
		t.Errorf("control info projects = %+v", info.Projects)
	}
}

func TestProjectStartFaultMustBeModelled(t *testing.T) {
	_, err := New(Config{Projects: []Project{{Name: "p", StartFault: "ThrottlingException"}}})
	if err == nil || !strings.Contains(err.Error(), `start fault "ThrottlingException" is not a modelled fault of any Start* operation`) || !strings.Contains(err.Error(), CodeS3AccessDenied) {
		t.Errorf("New with an unmodelled start fault: %v", err)
	}
}
