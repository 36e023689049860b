package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/example/platform/api/internal/items"
)

// processedSort is the sort key of an item's processing record, beside the item.
const processedSort = "processed"

// MarkProcessed records that p's item was processed, once: a conditional write that fails
// when the record exists, so a redelivered event changes nothing. first says whether this
// call wrote it.
func (t *Table) MarkProcessed(ctx context.Context, p items.Processing) (first bool, err error) {
	attrs := key(itemPrefix+p.ItemID, processedSort)
	attrs["eventId"] = &types.AttributeValueMemberS{Value: p.EventID}
	attrs["processedIn"] = &types.AttributeValueMemberS{Value: p.ProcessedIn}
	attrs["processedAt"] = &types.AttributeValueMemberS{Value: p.ProcessedAt.UTC().Format(time.RFC3339Nano)}
	_, err = t.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(t.name), Item: attrs, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var exists *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &exists):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("recording item %s processed in table %s: %w", p.ItemID, t.name, err)
	}
	return true, nil
}

// Processing reads item id's processing record from this region's replica.
func (t *Table) Processing(ctx context.Context, id string) (items.Processing, error) {
	record, err := t.record(ctx, itemPrefix+id, processedSort)
	if err != nil {
		return items.Processing{}, err
	}
	p := items.Processing{ItemID: id, EventID: str(record, "eventId"), ProcessedIn: str(record, "processedIn")}
	p.ProcessedAt, _ = time.Parse(time.RFC3339Nano, str(record, "processedAt"))
	return p, nil
}
