package gosdk

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/dmsconform/dmsconform/spec"
)

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"r-1"}}
}

// TestDecodeOutputAndFault: Decode gives what a live call gives: the typed output of a
// 200, the typed fault of a modeled 400, and an unknown union member as the SDK's own
// unknown-member type, without a server.
func TestDecodeOutputAndFault(t *testing.T) {
	m := spec.MustLoad()
	op := m.Operation("CancelMetadataModelConversion")
	out, err := Decode(context.Background(), op, Response{Status: 200, Header: jsonHeader(),
		Body: []byte(`{"Request":{"Status":"CANCELING","RequestIdentifier":"r1","Error":{"futureMember":{"x":1}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	o := out.(*dms.CancelMetadataModelConversionOutput)
	if *o.Request.Status != "CANCELING" || *o.Request.RequestIdentifier != "r1" {
		t.Errorf("decoded %+v", o.Request)
	}
	canon, err := Canon(op.Output, reflect.ValueOf(out))
	if err != nil {
		t.Fatal(err)
	}
	req := canon.(map[string]any)["Request"].(map[string]any)
	if got := req["Error"]; !reflect.DeepEqual(got, map[string]any{spec.UnknownTag: "futureMember"}) {
		t.Errorf("unknown union member canonicalised as %v", got)
	}

	_, err = Decode(context.Background(), op, Response{Status: 400, Header: jsonHeader(),
		Body: []byte(`{"__type":"ResourceNotFoundFault","message":"no such request"}`)})
	var rnf *types.ResourceNotFoundFault
	if !errors.As(err, &rnf) || rnf.ErrorMessage() != "no such request" {
		t.Errorf("a modeled 400 decoded to %T %v, want *types.ResourceNotFoundFault", err, err)
	}
}

// TestCallRefusesUnknownOperation: a model operation the SDK lacks is a harness error.
func TestCallRefusesUnknownOperation(t *testing.T) {
	_, err := Call(context.Background(), dms.New(dms.Options{}), "NoSuchOperation", nil)
	if !errors.Is(err, ErrHarness) {
		t.Fatalf("err = %v, want ErrHarness", err)
	}
}
