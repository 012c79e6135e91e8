package exclude

import (
	"slices"
	"strconv"

	"github.com/jmespath-community/go-jmespath/pkg/parsing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// The Go JMESPath implementation reads map[string]any, []any and float64;
// documents are *pyjson.Map with Number. Converting a whole document for
// every record would cost more than evaluating the conditions, so each
// condition knows the paths its expression can read (userIdentity.type,
// eventName) and only the values there are converted; an expression that
// reads an object as a whole (a.*, keys(a), a[?...]) gets all of it, and
// one that reads the document as a whole (@, $, variables) all of that.

// pathTrie is the paths an expression reads: a node marked whole is read
// with everything below it.
type pathTrie struct {
	whole bool
	kids  map[string]*pathTrie
}

func readsOf(expr string) *pathTrie {
	t := &pathTrie{}
	ast, err := parsing.NewParser().Parse(expr)
	if err != nil {
		t.whole = true
		return t
	}
	t.walk(ast, true)
	return t
}

// add marks the value at path as read whole.
func (t *pathTrie) add(path []string) {
	cur := t
	for _, p := range path {
		if cur.whole {
			return
		}
		if cur.kids == nil {
			cur.kids = map[string]*pathTrie{}
		}
		next := cur.kids[p]
		if next == nil {
			next = &pathTrie{}
			cur.kids[p] = next
		}
		cur = next
	}
	cur.whole, cur.kids = true, nil
}

// merge adds what o reads.
func (t *pathTrie) merge(o *pathTrie) {
	if t.whole {
		return
	}
	if o.whole {
		t.whole, t.kids = true, nil
		return
	}
	for k, ok := range o.kids {
		if t.kids == nil {
			t.kids = map[string]*pathTrie{}
		}
		if t.kids[k] == nil {
			t.kids[k] = &pathTrie{}
		}
		t.kids[k].merge(ok)
	}
}

// walk collects what node reads; atRoot tells whether node is evaluated
// against the document itself.
func (t *pathTrie) walk(node parsing.ASTNode, atRoot bool) {
	if t.whole {
		return
	}
	if atRoot {
		if path, ok := fieldChain(node); ok {
			t.add(path)
			return
		}
	}
	kids := node.Children
	switch node.NodeType {
	case parsing.ASTField, parsing.ASTLiteral, parsing.ASTIndex, parsing.ASTSlice, parsing.ASTEmpty:
	case parsing.ASTCurrentNode, parsing.ASTIdentity:
		if atRoot {
			t.whole = true
		}
	case parsing.ASTSubexpression, parsing.ASTIndexExpression, parsing.ASTProjection,
		parsing.ASTFilterProjection, parsing.ASTValueProjection, parsing.ASTPipe:
		// the left side reads the current value; the rest reads what it gave
		for i, k := range kids {
			t.walk(k, atRoot && i == 0)
		}
	case parsing.ASTFlatten, parsing.ASTComparator, parsing.ASTAndExpression,
		parsing.ASTOrExpression, parsing.ASTNotExpression, parsing.ASTArithmeticExpression,
		parsing.ASTArithmeticUnaryExpression, parsing.ASTMultiSelectList,
		parsing.ASTMultiSelectHash, parsing.ASTKeyValPair, parsing.ASTFunctionExpression:
		for _, k := range kids {
			t.walk(k, atRoot)
		}
	case parsing.ASTExpRef:
		// applied to other values by the function
		for _, k := range kids {
			t.walk(k, false)
		}
	default:
		// $, let and variables, or anything new: take the whole document
		t.whole = true
	}
}

// fieldChain is the path of a chain of plain fields (a, a.b, a.b.c).
func fieldChain(node parsing.ASTNode) ([]string, bool) {
	switch node.NodeType {
	case parsing.ASTField:
		name, ok := node.Value.(string)
		return []string{name}, ok
	case parsing.ASTSubexpression:
		if len(node.Children) != 2 {
			return nil, false
		}
		left, ok := fieldChain(node.Children[0])
		if !ok {
			return nil, false
		}
		right, ok := fieldChain(node.Children[1])
		if !ok {
			return nil, false
		}
		return append(left, right...), true
	}
	return nil, false
}

// paths lists the paths read, dotted, for tests ("" is the whole document).
func (t *pathTrie) paths(prefix string) []string {
	if t.whole {
		return []string{prefix}
	}
	var out []string
	for k, kid := range t.kids {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out = append(out, kid.paths(p)...)
	}
	slices.Sort(out)
	return out
}

// data is what the expression reads of v, in JMESPath's types.
func (t *pathTrie) data(v any) any {
	if t.whole {
		return toJMES(v)
	}
	m, ok := v.(*pyjson.Map)
	if !ok {
		// only fields below are read, and a field of anything but an
		// object is null
		return nil
	}
	out := make(map[string]any, len(t.kids))
	for k, kid := range t.kids {
		if x, ok := m.Get(k); ok {
			out[k] = kid.data(x)
		}
	}
	return out
}

// toJMES converts a document value. Numbers become float64, as Python's
// jmespath compares ints and floats alike.
func toJMES(v any) any {
	switch x := v.(type) {
	case *pyjson.Map:
		out := make(map[string]any, x.Len())
		x.Range(func(k string, e any) bool {
			out[k] = toJMES(e)
			return true
		})
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJMES(e)
		}
		return out
	case pyjson.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return f
		}
		return string(x)
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case pyjson.QuotedString:
		return x.Value()
	}
	return v
}
