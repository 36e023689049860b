// Package dynamo stores items in the region's replica of the DynamoDB global table
// and checks that the replica answers.
package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/platform/api/internal/items"
)

// API is the part of the DynamoDB client the Table uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// The platform's table has a string partition key pk and sort key sk, and is shared
// with whatever else the application stores: items live under their own prefix.
const (
	itemPrefix = "item#"
	itemSort   = "item"
	// readinessKey is never written: reading it costs half a read unit and proves the
	// same permissions, key access and endpoint that reading an item needs.
	readinessKey = "platform#readiness"
)

// Table is the service's view of the global table.
type Table struct {
	api  API
	name string
}

// New returns a Table for the table named name.
func New(api API, name string) *Table {
	return &Table{api: api, name: name}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

// Check reads a fixed key that does not exist: DescribeTable would test a control-plane
// permission the service otherwise never uses.
func (t *Table) Check(ctx context.Context) error {
	_, err := t.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: key(readinessKey, readinessKey)})
	if err != nil {
		return fmt.Errorf("reading table %s: %w", t.name, err)
	}
	return nil
}

// Put writes item, replacing any item with the same ID.
func (t *Table) Put(ctx context.Context, item items.Item) error {
	attrs := key(itemPrefix+item.ID, itemSort)
	attrs["name"] = &types.AttributeValueMemberS{Value: item.Name}
	attrs["writtenIn"] = &types.AttributeValueMemberS{Value: item.WrittenIn}
	attrs["createdAt"] = &types.AttributeValueMemberS{Value: item.CreatedAt.Format(time.RFC3339Nano)}
	_, err := t.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.name), Item: attrs})
	if err != nil {
		return fmt.Errorf("writing to table %s: %w", t.name, err)
	}
	return nil
}

// Get reads the item with id from this region's replica (eventually consistent: an
// item written in another region appears after replication, typically about a second).
func (t *Table) Get(ctx context.Context, id string) (items.Item, error) {
	record, err := t.record(ctx, itemPrefix+id, itemSort)
	if err != nil {
		return items.Item{}, err
	}
	item := items.Item{ID: id, Name: str(record, "name"), WrittenIn: str(record, "writtenIn")}
	if item.CreatedAt, err = time.Parse(time.RFC3339Nano, str(record, "createdAt")); err != nil {
		return items.Item{}, fmt.Errorf("item %s in table %s has an unreadable createdAt: %w", id, t.name, err)
	}
	return item, nil
}

func str(attrs map[string]types.AttributeValue, name string) string {
	if s, ok := attrs[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// record reads one record of this region's replica, or items.ErrNotFound.
func (t *Table) record(ctx context.Context, partition, sort string) (map[string]types.AttributeValue, error) {
	out, err := t.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: key(partition, sort)})
	if err != nil {
		return nil, fmt.Errorf("reading table %s: %w", t.name, err)
	}
	if len(out.Item) == 0 {
		return nil, items.ErrNotFound
	}
	return out.Item, nil
}
