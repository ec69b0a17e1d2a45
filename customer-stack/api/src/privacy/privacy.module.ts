import { Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BreachRegisterService } from './breach-register.service.js';
import { PersonalDataVault } from './personal-data-vault.js';
import { PrivacyController } from './privacy.controller.js';
import { PrivacyService } from './privacy.service.js';
import { RetentionService } from './retention.service.js';
import { SubjectDataRegistry } from './subject-data.registry.js';

/**
 * Data protection. Global: every module seals personal columns with PersonalDataVault, registers
 * its part of a subject-access export with SubjectDataRegistry and its retention purge with
 * RetentionService.
 */
@Global()
@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [PrivacyController],
  providers: [SubjectDataRegistry, PersonalDataVault, PrivacyService, BreachRegisterService, RetentionService],
  exports: [SubjectDataRegistry, PersonalDataVault, PrivacyService, RetentionService],
})
export class PrivacyModule {}
