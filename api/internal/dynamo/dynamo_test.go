package dynamo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/platform/api/internal/dynamo"
	"github.com/example/platform/api/internal/items"
)

// fakeDynamoDB keeps items by pk and sk, and records the calls it gets.
type fakeDynamoDB struct {
	items  map[[2]string]map[string]types.AttributeValue
	tables []string
	keys   [][2]string
	err    error
}

func newFake() *fakeDynamoDB {
	return &fakeDynamoDB{items: map[[2]string]map[string]types.AttributeValue{}}
}

func keyOf(attrs map[string]types.AttributeValue) [2]string {
	return [2]string{attrs["pk"].(*types.AttributeValueMemberS).Value, attrs["sk"].(*types.AttributeValueMemberS).Value}
}

func (f *fakeDynamoDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.tables, f.keys = append(f.tables, aws.ToString(in.TableName)), append(f.keys, keyOf(in.Key))
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.GetItemOutput{Item: f.items[keyOf(in.Key)]}, nil
}

func (f *fakeDynamoDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.tables = append(f.tables, aws.ToString(in.TableName))
	if f.err != nil {
		return nil, f.err
	}
	f.items[keyOf(in.Item)] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func TestTable_PutThenGetRoundTrips(t *testing.T) {
	fake := newFake()
	table := dynamo.New(fake, "acme-prod-main")
	item := items.Item{ID: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", Name: "first", WrittenIn: "us-east-1",
		CreatedAt: time.Date(2026, 11, 23, 12, 0, 0, 123456000, time.UTC)}
	if err := table.Put(t.Context(), item); err != nil {
		t.Fatal(err)
	}
	if _, ok := fake.items[[2]string{"item#" + item.ID, "item"}]; !ok {
		t.Errorf("stored under %v, want pk item#<id> and sk item", fake.items)
	}
	got, err := table.Get(t.Context(), item.ID)
	if err != nil || !got.CreatedAt.Equal(item.CreatedAt) || got.Name != item.Name || got.WrittenIn != item.WrittenIn || got.ID != item.ID {
		t.Errorf("Get() = %+v, %v; want %+v", got, err, item)
	}
	for _, name := range fake.tables {
		if name != "acme-prod-main" {
			t.Errorf("called table %q", name)
		}
	}
}

func TestTable_GetReportsAMissingItemAsNotFound(t *testing.T) {
	if _, err := dynamo.New(newFake(), "t").Get(t.Context(), "NOPE"); !errors.Is(err, items.ErrNotFound) {
		t.Errorf("Get() = %v, want ErrNotFound", err)
	}
}

func TestTable_CheckReadsAFixedKeyAndNamesTheTableOnFailure(t *testing.T) {
	fake := newFake()
	table := dynamo.New(fake, "acme-prod-main")
	if err := table.Check(t.Context()); err != nil {
		t.Fatalf("Check() = %v with an answering table", err)
	}
	if len(fake.keys) != 1 || !strings.HasPrefix(fake.keys[0][0], "platform#") {
		t.Errorf("Check() read %v, want one read of a platform# key", fake.keys)
	}
	fake.err = errors.New("AccessDeniedException")
	if err := table.Check(t.Context()); err == nil || !strings.Contains(err.Error(), "acme-prod-main") {
		t.Errorf("Check() = %v, want an error naming the table", err)
	}
}
