package codeshape

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
)

// LongFunc is a function over MaxFuncLines lines.
type LongFunc struct {
	File  string // relative to the root walked
	Name  string // Recv.Name for a method
	Lines int
}

func (f LongFunc) String() string {
	return fmt.Sprintf("%s: %s is %d lines (at most %d)", f.File, f.Name, f.Lines, MaxFuncLines)
}

// LongFuncs walks the Go files under root (skipping hidden folders, node_modules and
// testdata) and lists the functions of hand-written files longer than MaxFuncLines.
func LongFuncs(root string) ([]LongFunc, error) {
	var long []LongFunc
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		found, err := longIn(root, p)
		long = append(long, found...)
		return err
	})
	return long, err
}

// longIn lists file p's functions over MaxFuncLines, none if it is generated code.
func longIn(root, p string) ([]LongFunc, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if ast.IsGenerated(f) {
		return nil, nil
	}
	rel, _ := filepath.Rel(root, p)
	var long []LongFunc
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
		if n <= MaxFuncLines {
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			name = recvName(fd.Recv.List[0].Type) + "." + name
		}
		long = append(long, LongFunc{File: filepath.ToSlash(rel), Name: name, Lines: n})
	}
	return long, nil
}

// recvName is a receiver type's name without its pointer or type parameters.
func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}
