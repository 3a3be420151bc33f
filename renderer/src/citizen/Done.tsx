import { Bi } from '../components/Bi.js';

export function Thanks() {
  return (
    <div className="screen thanks" data-testid="screen-thanks">
      <div className="done-icon ok" aria-hidden="true">
        ✓
      </div>
      <h1 className="done-title">感谢您的评价</h1>
      <div className="en done-en">Thank you for your feedback</div>
    </div>
  );
}

/** The QR hint only when a receipt was really printed for this evaluation. */
export function Unrated({ receiptPrinted }: { receiptPrinted: boolean }) {
  return (
    <div className="screen unrated" data-testid="screen-unrated">
      <div className="done-icon neutral" aria-hidden="true">
        i
      </div>
      <h1 className="done-title">本次评价已结束</h1>
      <div className="en done-en">This evaluation has ended</div>
      {receiptPrinted && (
        <div className="done-sub" data-testid="unrated-receipt-hint">
          <Bi
            zh="您仍可扫描办件回执上的二维码进行评价"
            en="You can still rate later with the QR code on your receipt"
          />
        </div>
      )}
    </div>
  );
}
