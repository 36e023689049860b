package awsstub

import (
	"encoding/json"
	"fmt"
)

// DynamoDB's PutItem (with attribute_not_exists conditions) and GetItem, on the table's pk and sk.
func (s *Stub) putItem(body []byte) (any, *apiError) {
	var in struct {
		Item                map[string]any
		ConditionExpression string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	k := itemKey(in.Item)
	if _, exists := s.items[k]; exists && in.ConditionExpression != "" {
		return nil, &apiError{400, "ConditionalCheckFailedException", "The conditional request failed"}
	}
	s.items[k] = in.Item
	return struct{}{}, nil
}

func (s *Stub) getItem(body []byte) (any, *apiError) {
	var in struct{ Key map[string]any }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	item, ok := s.items[itemKey(in.Key)]
	if !ok {
		return struct{}{}, nil
	}
	return map[string]any{"Item": item}, nil
}

func itemKey(attrs map[string]any) string { return fmt.Sprint(attrs["pk"], "|", attrs["sk"]) }

// Items is how many items the stub's table holds.
func (s *Stub) Items() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}
