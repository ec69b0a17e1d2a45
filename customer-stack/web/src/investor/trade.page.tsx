// Trading: choose an instrument, watch its market (live depth, candles, trades) and place an
// order from the ticket beside it. The chosen instrument is in the address (?instrument=), so a
// link or a reload keeps it.
import { useSearchParams } from 'react-router';
import { Alert, PageTitle, ResourceView, Section } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { MarketView } from './market-view';
import { OrderTicket } from './order-ticket-form';
import { useTradingSetup } from './trading-setup';

export function TradePage() {
  const setup = useTradingSetup();
  const [params, setParams] = useSearchParams();
  const selected = params.get('instrument') ?? '';
  const choose = (instrumentId: string) => setParams(instrumentId ? { instrument: instrumentId } : {}, { replace: true });
  return (
    <>
      <PageTitle appName={APP_NAME}>Trade</PageTitle>
      <ResourceView handle={setup} label="the market">
        {({ terms, market, instruments }) => {
          if (!market) {
            return (
              <Alert tone="warning" title="The market is not available here">
                <p>
                  This installation has no market data configured, so instruments and prices cannot be shown and orders cannot be priced.
                  Your balances and orders are unaffected.
                </p>
              </Alert>
            );
          }
          const instrument = instruments.find((i) => i.id === selected) ?? (instruments.length === 1 ? instruments[0] : undefined);
          return (
            <div className="grid trade">
              <Section title="Order ticket">
                {instruments.length === 0 ? <p>No instrument is listed on the market yet.</p> : null}
                <OrderTicket key={instrument?.id ?? 'none'} instrument={instrument} instruments={instruments} terms={terms} onInstrument={choose} />
              </Section>
              {instrument ? <MarketView instrument={instrument} market={market} /> : (
                <Section title="Market"><p className="muted">Choose an instrument to see its market.</p></Section>
              )}
            </div>
          );
        }}
      </ResourceView>
    </>
  );
}
