import type { ReactNode } from 'react';

/** A two-column "label: value" table; each value carries data-testid `${prefix}-${key}`. */
export function InfoTable({ rows, prefix }: { rows: Array<[string, string, ReactNode]>; prefix: string }) {
  return (
    <table className="info-table" data-testid={`${prefix}-info`}>
      <tbody>
        {rows.map(([key, label, value]) => (
          <tr key={key}>
            <th>{label}</th>
            <td data-testid={`${prefix}-${key}`}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
