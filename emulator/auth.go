package emulator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// sigV4Auth is a parsed Authorization header.
type sigV4Auth struct {
	accessKey, date, region, service string
	signedHeaders                    string
	signature                        string
}

func parseAuthorization(h string) (sigV4Auth, bool) {
	var a sigV4Auth
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return a, false
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, false
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = v
		case "Signature":
			a.signature = v
		}
	}
	return a, a.accessKey != "" && a.signedHeaders != "" && a.signature != ""
}

// authenticate verifies the SigV4 signature by re-signing a copy of the request with
// the aws-sdk-go-v2 signer: same X-Amz-Date, same payload hash, signing name dms, the
// region of the credential scope and only the headers the client signed. It returns
// the principal (nil for an unsigned request let through by unsigned-accepted).
func (e *Emulator) authenticate(r *http.Request, body []byte, d *defectSet) (*credential, *apiError) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		if d.has(DefectUnsignedAccepted) {
			return nil, nil
		}
		return nil, newErr(CodeMissingAuth, "Missing Authentication Token: sign the request with SigV4 (signing name %s) using one of the emulator's test key pairs, e.g. access key id %s (printed at start-up; emulator.DefaultSecretAccessKey)",
			e.model.Service.SigningName, DefaultAccessKeyID)
	}
	a, cred, signTime, payloadHash, aerr := e.readSignature(r, authz, body)
	if aerr != nil {
		return nil, aerr
	}
	if cred == nil {
		// AnyAccessKey: a key the emulator never saw the secret of. Only the format of
		// the signature can be checked.
		if aerr := signatureFormat(a); aerr != nil {
			return nil, aerr
		}
		return &credential{Credential: Credential{AccessKeyID: a.accessKey, Principal: e.defaultPrincipal(false)}}, nil
	}

	cp := signedCopy(r, a.signedHeaders)
	err := e.signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey},
		cp, payloadHash, e.model.Service.SigningName, a.region, signTime)
	if err != nil {
		return nil, newErr(CodeInvalidSignature, "could not recompute the signature: %v", err)
	}
	want, ok := parseAuthorization(cp.Header.Get("Authorization"))
	if !ok || want.signedHeaders != a.signedHeaders ||
		subtle.ConstantTimeCompare([]byte(want.signature), []byte(a.signature)) != 1 {
		if d.has(DefectBadSignatureAccepted) {
			return cred, nil
		}
		return nil, newErr(CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method (SigV4, signing name %s, region from the credential scope).",
			e.model.Service.SigningName)
	}
	return cred, nil
}

// readSignature reads a SigV4 Authorization header and checks what can be checked
// before re-signing: its form, X-Amz-Date, the access key, the scope and the payload
// hash. cred is nil for a key only AnyAccessKey lets through.
func (e *Emulator) readSignature(r *http.Request, authz string, body []byte) (a sigV4Auth, cred *credential, signTime time.Time, payloadHash string, aerr *apiError) {
	a, ok := parseAuthorization(authz)
	if !ok {
		return a, nil, time.Time{}, "", newErr(CodeIncompleteSignature, "Authorization header is not a SigV4 header: expected '%s Credential=<key>/<date>/<region>/%s/aws4_request, SignedHeaders=..., Signature=...'",
			sigV4Algorithm, e.model.Service.SigningName)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return a, nil, time.Time{}, "", newErr(CodeIncompleteSignature, "Authorization header requires an 'X-Amz-Date' header (format %s)", amzDateFormat)
	}
	signTime, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return a, nil, time.Time{}, "", newErr(CodeIncompleteSignature, "X-Amz-Date %q is not in the format %s", amzDate, amzDateFormat)
	}
	cred = e.creds[a.accessKey]
	if cred == nil && !e.anyKey {
		return a, nil, time.Time{}, "", newErr(CodeUnrecognizedClient, "The security token included in the request is invalid: access key id %q is unknown to the emulator; use %s (see the emulator's printed credentials)",
			a.accessKey, DefaultAccessKeyID)
	}
	if a.service != e.model.Service.SigningName {
		return a, nil, time.Time{}, "", newErr(CodeInvalidSignature, "Credential should be scoped to correct service: '%s' (got '%s')", e.model.Service.SigningName, a.service)
	}
	if a.date != amzDate[:8] {
		return a, nil, time.Time{}, "", newErr(CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from X-Amz-Date: %s vs %s", a.date, amzDate[:8])
	}

	sum := sha256.Sum256(body)
	payloadHash = hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		if h != payloadHash && h != unsignedPayload {
			return a, nil, time.Time{}, "", newErr(CodeInvalidSignature, "X-Amz-Content-Sha256 %s does not match the sha256 of the request body", h)
		}
		payloadHash = h
	}
	return a, cred, signTime, payloadHash, nil
}

// signatureFormat checks what can be checked of a signature made with a secret the
// emulator never saw: its signed headers and its form.
func signatureFormat(a sigV4Auth) *apiError {
	if !strings.Contains(";"+a.signedHeaders+";", ";host;") || !strings.Contains(";"+a.signedHeaders+";", ";x-amz-date;") {
		return newErr(CodeIncompleteSignature, "SignedHeaders %q must include host and x-amz-date", a.signedHeaders)
	}
	if len(a.signature) != 64 || strings.Trim(a.signature, "0123456789abcdef") != "" {
		return newErr(CodeIncompleteSignature, "Signature %q is not 64 lower-case hex digits (SigV4)", a.signature)
	}
	return nil
}

// signedCopy is the request as the client signed it: the method, the URL, the host
// and only the headers listed in signedHeaders.
func signedCopy(r *http.Request, signedHeaders string) *http.Request {
	cp := &http.Request{
		Method: r.Method,
		URL:    &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: http.Header{},
	}
	for name := range strings.SplitSeq(signedHeaders, ";") {
		switch name {
		case "host":
		case "content-length":
			cp.ContentLength = r.ContentLength
			if cp.ContentLength < 0 {
				cp.ContentLength, _ = strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
			}
		default:
			if vs := r.Header.Values(name); len(vs) > 0 {
				cp.Header[http.CanonicalHeaderKey(name)] = vs
			}
		}
	}
	return cp
}
