import type { Occurrence } from '../api/types';
import { Badge, Time } from './widgets';

/** Every time a message was dead-lettered, oldest first, with the decision taken on each. */
export function OccurrencesTable({ occurrences }: { occurrences: Occurrence[] }) {
  return (
    <table aria-label="Occurrences">
      <thead>
        <tr>
          <th>Dead-lettered</th>
          <th>Code</th>
          <th>Message</th>
          <th class="number">Attempts</th>
          <th>By</th>
          <th>Decision</th>
        </tr>
      </thead>
      <tbody>
        {occurrences.map((occurrence) => (
          <tr key={occurrence.occurrenceId}>
            <td>
              <Time iso={occurrence.deadLetteredAt} />
            </td>
            <td>{occurrence.errorCode}</td>
            <td class="wrap">{occurrence.errorMessage}</td>
            <td class="number">{occurrence.attempts}</td>
            <td>{occurrence.deadLetteredBy}</td>
            <td>
              {occurrence.resolution ? (
                <>
                  <Badge status={occurrence.resolution} /> <Time iso={occurrence.resolvedAt} />
                </>
              ) : (
                <span class="muted">waiting</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
