/** Kubernetes label-selector requirements (`matchExpressions`), as the API server evaluates them. */

/** Whether one requirement holds for a label's value (undefined: the label is absent). An unknown operator is rejected by the API server: it holds for nothing here. */
export function requirementHolds(operator: unknown, values: readonly string[], value: string | undefined): boolean {
  switch (operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}
