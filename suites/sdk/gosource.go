package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/dmsconform/dmsconform/internal/text"
	"golang.org/x/mod/semver"
)

// What the Go SDK's own source says, read with go/parser from the module cache: the
// error types of types/errors.go and the union types of types/types.go. Lists typed
// by hand go stale (the drift test's list of 24 error types missed two); the source
// does not.

// GoModuleInfo is a module as `go list -m -json` reports it.
type GoModuleInfo struct {
	Path    string
	Version string
	Dir     string // its source in the module cache
}

// GoListModule runs `go list -m -json module` in dir (a folder of a Go module that
// requires it) without touching the network (GOPROXY=off: the module must be in the
// module cache, as it is once the requiring module builds).
func GoListModule(ctx context.Context, dir, module string) (GoModuleInfo, error) {
	gobin, err := GoTool()
	if err != nil {
		return GoModuleInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "list", "-m", "-json", module)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return GoModuleInfo{}, fmt.Errorf("go list -m -json %s (in %s): %v: %s", module, dir, err, text.Truncate(strings.TrimSpace(stderr.String()), 500))
	}
	var info GoModuleInfo
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		return GoModuleInfo{}, fmt.Errorf("go list -m -json %s printed no module: %v", module, err)
	}
	if info.Dir == "" {
		return info, fmt.Errorf("go list -m -json %s: %s is not in the module cache (run go mod download %s@%s)", module, module, module, info.Version)
	}
	return info, nil
}

// LinkedGoModule is the Go SDK module this program was built with: its version and
// source folder from the file path of its compiled code (a module cache path,
// <module>@<version>/...), so what is read is what runs; a -trimpath build falls back
// to `go list -m -json` in the working directory's module.
func LinkedGoModule(ctx context.Context) (GoModuleInfo, error) {
	if version, dir := linkedGoSource(); version != "" && filepath.IsAbs(dir) && fileExists(filepath.Join(dir, "types", "errors.go")) {
		return GoModuleInfo{Path: GoModule, Version: version, Dir: dir}, nil
	}
	return GoListModule(ctx, ".", GoModule)
}

// linkedGoSource reads the Go SDK's version and module folder from the file path of
// its compiled code ("" when the path holds no <module>@<version>).
func linkedGoSource() (version, dir string) {
	fn := runtime.FuncForPC(reflect.ValueOf(dms.New).Pointer())
	if fn == nil {
		return "", ""
	}
	file, _ := fn.FileLine(fn.Entry())
	i := strings.Index(file, GoModule+"@")
	if i < 0 {
		return "", ""
	}
	rest := file[i+len(GoModule)+1:]
	j := strings.IndexByte(rest, '/')
	if j <= 0 {
		return "", ""
	}
	return rest[:j], file[:i+len(GoModule)+1+j]
}

// GoTool is the go command on PATH.
func GoTool() (string, error) {
	p, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is not on PATH: install Go (https://go.dev/dl/) to read and build the Go SDK versions")
	}
	return p, nil
}

// GoErrorType is one error type of the SDK's types/errors.go.
type GoErrorType struct {
	Name   string    // the type name, e.g. ResourceNotFoundFault
	Code   string    // the code ErrorCode returns by default
	Fault  string    // client or server (ErrorFault)
	Fields []GoField // exported fields, ErrorCodeOverride aside
}

// GoField is an exported struct field and its type as written in the source.
type GoField struct {
	Name, Type string
}

// ReadGoErrorTypes reads types/errors.go of the SDK module in moduleDir: every struct
// type with an ErrorCode method, sorted by name.
func ReadGoErrorTypes(moduleDir string) ([]GoErrorType, error) {
	file := filepath.Join(moduleDir, "types", "errors.go")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("read the SDK's error types: %w", err)
	}
	structs := map[string]*ast.StructType{}
	byName := map[string]*GoErrorType{}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						structs[ts.Name.Name] = st
					}
				}
			}
		case *ast.FuncDecl:
			recv := receiverName(d)
			if recv == "" || d.Body == nil {
				continue
			}
			e := byName[recv]
			if e == nil {
				e = &GoErrorType{Name: recv}
				byName[recv] = e
			}
			switch d.Name.Name {
			case "ErrorCode":
				e.Code = lastReturn(d, func(x ast.Expr) string {
					if lit, ok := x.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						return s
					}
					return ""
				})
			case "ErrorFault":
				e.Fault = lastReturn(d, func(x ast.Expr) string {
					if sel, ok := x.(*ast.SelectorExpr); ok {
						return strings.ToLower(strings.TrimPrefix(sel.Sel.Name, "Fault"))
					}
					return ""
				})
			}
		}
	}
	var out []GoErrorType
	for name, e := range byName {
		st := structs[name]
		if e.Code == "" || st == nil {
			continue
		}
		for _, fl := range st.Fields.List {
			var typ bytes.Buffer
			_ = printer.Fprint(&typ, fset, fl.Type)
			for _, n := range fl.Names {
				if n.IsExported() && n.Name != "ErrorCodeOverride" {
					e.Fields = append(e.Fields, GoField{Name: n.Name, Type: typ.String()})
				}
			}
		}
		out = append(out, *e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read the SDK's error types: %s declares no type with an ErrorCode method", file)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ReadGoUnions reads types/types.go of the SDK module in moduleDir: per union
// interface (one with an is<Union>() method), the names of its member types
// (<Union>Member<Member>), sorted; UnknownUnionMember is left out.
func ReadGoUnions(moduleDir string) (map[string][]string, error) {
	file := filepath.Join(moduleDir, "types", "types.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("read the SDK's union types: %w", err)
	}
	out := map[string][]string{}
	for _, decl := range f.Decls {
		d, ok := decl.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(d.Name.Name, "is") {
			continue
		}
		union, recv := strings.TrimPrefix(d.Name.Name, "is"), receiverName(d)
		if recv == "" || recv == "UnknownUnionMember" || !strings.HasPrefix(recv, union+"Member") {
			continue
		}
		out[union] = append(out[union], recv)
	}
	for _, members := range out {
		sort.Strings(members)
	}
	return out, nil
}

func receiverName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) != 1 {
		return ""
	}
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// lastReturn applies read to the single result of the last return statement of d.
func lastReturn(d *ast.FuncDecl, read func(ast.Expr) string) string {
	out := ""
	ast.Inspect(d.Body, func(n ast.Node) bool {
		if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
			if s := read(r.Results[0]); s != "" {
				out = s
			}
		}
		return true
	})
	return out
}

// How a Go SDK version decides which error codes an operation returns as typed errors.
const (
	// TypingPerOperation: an operation returns typed errors for exactly the faults
	// the model lists for it; any other code is a smithy.GenericAPIError.
	TypingPerOperation = "per-operation"
	// TypingServiceWide: every error type of the service is typed on every operation.
	TypingServiceWide = "service-wide"
)

// GoServiceWideTypingSince is the first aws-sdk-go-v2 databasemigrationservice version
// whose operations return every modelled error of the service as a typed error: its
// schema-based (de)serialisation resolves error codes against the service's type
// registry instead of a per-operation switch. Measured by the version matrix
// (dmsconform sdk --versions): v1.71.0 types per operation, v1.72.0 service-wide.
const GoServiceWideTypingSince = "v1.72.0"

// GoFaultTyping is the typing rule of a Go SDK version (the drift test asserts it for
// the pinned version, the version matrix for every version it runs).
func GoFaultTyping(version string) string {
	v := version
	if i := strings.IndexByte(v, ' '); i > 0 {
		v = v[:i]
	}
	if semver.IsValid(v) && semver.Compare(v, GoServiceWideTypingSince) >= 0 {
		return TypingServiceWide
	}
	return TypingPerOperation
}
